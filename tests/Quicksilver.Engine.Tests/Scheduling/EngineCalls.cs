using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>Calling an engine from tests: a generation read to its end.</summary>
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

    /// <summary>Reads every update of <paramref name="request"/>; returns the tokens generated, in order.</summary>
    public static async Task<List<int>> CollectAsync(this IGenerationEngine engine, GenerationRequest request, CancellationToken cancellationToken = default)
    {
        var tokens = new List<int>();
        await foreach (GenerationUpdate update in engine.GenerateAsync(request, cancellationToken))
        {
            tokens.AddRange(update.Tokens);
        }

        return tokens;
    }
}
