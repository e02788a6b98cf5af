using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Server.Completions;

/// <summary>
/// Turns the answer's tokens, arriving block by block, into text deltas that never split a character: decodes all
/// tokens so far and hands out the new suffix, holding back trailing U+FFFD (the bytes of a multi-byte UTF-8
/// character whose rest is in tokens still to come) until more tokens, or the end, settle them.
/// </summary>
internal sealed class IncrementalDetokenizer(ITextTokenizer tokenizer)
{
    private const char ReplacementCharacter = '\uFFFD';
    private readonly List<int> tokens = [];
    private string text = string.Empty;
    private int emitted;

    /// <summary>Adds finalised tokens; returns the text that is now certain (possibly empty).</summary>
    public string Append(IReadOnlyList<int> newTokens)
    {
        ArgumentNullException.ThrowIfNull(newTokens);
        if (newTokens.Count == 0)
        {
            return string.Empty;
        }

        tokens.AddRange(newTokens);
        text = tokenizer.Decode(tokens);
        int end = text.Length;
        while (end > emitted && text[end - 1] == ReplacementCharacter)
        {
            end--;
        }

        if (end > emitted && char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        return Take(end);
    }

    /// <summary>At the end of the answer: the text still held back, replacement characters included.</summary>
    public string Flush() => Take(text.Length);

    private string Take(int end)
    {
        // Decoding more tokens only ever changes the held-back tail, so text[..emitted] is what was already sent.
        if (end <= emitted)
        {
            return string.Empty;
        }

        string delta = text[emitted..end];
        emitted = end;
        return delta;
    }
}
