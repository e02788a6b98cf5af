using System.Text.RegularExpressions;

namespace Quicksilver.Engine.Tokenization;

/// <summary>The pre-tokenisation regular expressions byte-level BPE tokenizers use.</summary>
internal static partial class PreTokenizerPatterns
{
    /// <summary>
    /// GPT-2's pattern (also Hugging Face's <c>ByteLevel</c> pre-tokenizer with <c>use_regex: true</c>): English
    /// contractions, letters with an optional leading space, digits likewise, other symbols likewise, and whitespace
    /// runs that leave their last space to the following word.
    /// </summary>
    public const string Gpt2 = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>The compiled GPT-2 pattern.</summary>
    [GeneratedRegex(Gpt2, RegexOptions.CultureInvariant)]
    public static partial Regex Gpt2Regex();
}
