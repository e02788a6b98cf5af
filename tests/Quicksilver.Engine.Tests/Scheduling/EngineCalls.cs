using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>Calling an engine from tests: a generation read to its end.</summary>
internal static class EngineCalls
{
    /// <summary>Reads every update of <paramref name="request"/>; returns the number of tokens generated.</summary>
    public static async Task<int> DrainAsync(this IGenerationEngine engine, GenerationRequest request, CancellationToken cancellationToken) =>
        await engine.Generate(request, cancellationToken).CountTokensAsync();

    /// <summary>One sequence, admitted (or refused) at once.</summary>
    public static IAsyncEnumerable<GenerationUpdate> Generate(this IGenerationEngine engine, GenerationRequest request, CancellationToken cancellationToken = default) =>
        engine.GenerateTogether([(request, cancellationToken)])[0];

    /// <summary>Reads every update of one sequence; returns the number of tokens generated.</summary>
    public static async Task<int> CountTokensAsync(this IAsyncEnumerable<GenerationUpdate> updates)
    {
        int tokens = 0;
        await foreach (GenerationUpdate update in updates)
        {
            tokens += update.Tokens.Count;
        }

        return tokens;
    }

    /// <summary>Reads every update of <paramref name="request"/>; returns the tokens generated, in order.</summary>
    public static async Task<List<int>> CollectAsync(this IGenerationEngine engine, GenerationRequest request, CancellationToken cancellationToken = default)
    {
        var tokens = new List<int>();
        await foreach (GenerationUpdate update in engine.Generate(request, cancellationToken))
        {
            tokens.AddRange(update.Tokens);
        }

        return tokens;
    }
}
