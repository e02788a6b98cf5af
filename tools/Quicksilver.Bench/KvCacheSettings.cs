namespace Quicksilver.Bench;

/// <summary>What <c>--kv-cache</c> measures: request shape, concurrency levels and the threshold of threshold decoding.</summary>
internal sealed record KvCacheSettings
{
    public int Prompt { get; init; } = 32;

    public int MaxTokens { get; init; } = 64;

    public int BlockLength { get; init; } = 32;

    public IReadOnlyList<int> Concurrency { get; init; } = [1, 16];

    /// <summary>Fast-dLLM's default is 0.9; on an untrained model every probability sits near 1/vocab, so only a threshold near that commits more than one token a step.</summary>
    public double Threshold { get; init; } = 0.9;

    /// <summary>A file of text prompts, one per line (<see cref="TextPrompts"/>); null for random token ids.</summary>
    public string? PromptText { get; init; }
}
