namespace Quicksilver.Gateway.Tests.Infrastructure;

internal static class Wait
{
    /// <summary>
    /// Polls <paramref name="condition"/> every 50 ms; <see cref="TimeoutException"/> naming <paramref name="what"/>
    /// after <paramref name="timeout"/>, followed by what <paramref name="explain"/> says of the state then.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? explain = null)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0.#} s for {what}.{(explain is null ? "" : $" {explain()}")}");
            }

            await Task.Delay(50);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? explain = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what, explain);
}
