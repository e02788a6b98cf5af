using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>Calling an engine from tests: a generation read to its end, and waiting for the engine's load to change.</summary>
internal static class EngineCalls
{
    /// <summary>Reads every update of <paramref name="request"/>; returns the number of tokens generated.</summary>
    public static async Task<int> DrainAsync(this IGenerationEngine engine, GenerationRequest request, CancellationToken cancellationToken)
    {
        int tokens = 0;
        await foreach (GenerationUpdate update in engine.GenerateAsync(request, cancellationToken))
        {
            tokens += update.Tokens.Count;
        }

        return tokens;
    }

    /// <summary>Polls <paramref name="condition"/> every 5 ms; fails the test after 10 s.</summary>
    public static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 10 s");
            await Task.Delay(5);
        }
    }
}
