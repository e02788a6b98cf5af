namespace Quicksilver.Engine.Tokenization;

/// <summary>
/// A byte-level BPE model as <see cref="BpeTrainer"/> produces it: the vocabulary in id order (the 256 byte symbols
/// first, in GPT-2's order, then one token per merge) and the merges by rank.
/// </summary>
public sealed record TrainedBpe
{
    /// <summary>Token strings in byte-level form; the index is the id.</summary>
    public required IReadOnlyList<string> Vocabulary { get; init; }

    /// <summary>Merge rules, highest priority first; merge <c>k</c> produced token id <c>256 + k</c>.</summary>
    public required IReadOnlyList<BpeMerge> Merges { get; init; }
}
