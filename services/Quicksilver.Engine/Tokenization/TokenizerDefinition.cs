using System.Text.RegularExpressions;

namespace Quicksilver.Engine.Tokenization;

/// <summary>What <see cref="TokenizerJsonParser"/> extracts from a byte-level BPE <c>tokenizer.json</c>.</summary>
internal sealed record TokenizerDefinition
{
    /// <summary>The model vocabulary: byte-level token strings (e.g. <c>Ġthe</c>) to ids.</summary>
    public required IReadOnlyDictionary<string, int> Vocabulary { get; init; }

    /// <summary>Merges by rank, as "left right" strings, duplicates removed.</summary>
    public required IReadOnlyList<string> Merges { get; init; }

    /// <summary>Added tokens, in file order.</summary>
    public required IReadOnlyList<AddedToken> AddedTokens { get; init; }

    /// <summary>Splitting stages applied in order to each text segment between added tokens (Isolated behaviour).</summary>
    public required IReadOnlyList<Regex> PreTokenizerStages { get; init; }

    /// <summary>Whether each segment gets a leading space when it has none (ByteLevel <c>add_prefix_space</c>).</summary>
    public bool AddPrefixSpace { get; init; }

    /// <summary>Whether segments are NFC-normalised before pre-tokenisation.</summary>
    public bool NormalizeNfc { get; init; }

    /// <summary>Whether a pre-token found whole in the vocabulary skips the merges (<c>ignore_merges</c>, LLaMA-3).</summary>
    public bool IgnoreMerges { get; init; }

    /// <summary>The special tokens the <c>post_processor</c> puts around an encoded text; null when the file has none.</summary>
    public PromptSpecialTokens? PostProcessor { get; init; }
}
