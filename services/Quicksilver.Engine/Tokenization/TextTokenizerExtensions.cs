namespace Quicksilver.Engine.Tokenization;

/// <summary>Conveniences every <see cref="ITextTokenizer"/> gets.</summary>
public static class TextTokenizerExtensions
{
    /// <summary>
    /// The text of one id decoded on its own, special tokens kept: how a completion's <c>logprobs.tokens</c> and
    /// <c>/tokenize</c>'s <c>token_strs</c> show a token (part of a UTF-8 character shows as U+FFFD).
    /// </summary>
    public static string DecodeAlone(this ITextTokenizer tokenizer, int id)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return tokenizer.Decode([id], skipSpecialTokens: false);
    }
}
