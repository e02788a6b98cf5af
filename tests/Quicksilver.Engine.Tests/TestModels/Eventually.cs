namespace Quicksilver.Engine.Tests.TestModels;

/// <summary>Polls a condition the step loop makes true on its own thread.</summary>
internal static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> holds; fails the test after 10 s.</summary>
    public static async Task True(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 10 s");
            await Task.Delay(5);
        }
    }
}
