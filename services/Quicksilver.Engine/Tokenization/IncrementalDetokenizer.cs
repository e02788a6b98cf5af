namespace Quicksilver.Engine.Tokenization;

/// <summary>
/// Turns a stream of token ids, arriving block by block, into a stream of text without ever emitting part of a
/// character: while the decoded tail ends in U+FFFD (a UTF-8 sequence still waiting for its remaining bytes), that
/// tail is held back. <see cref="Flush"/> returns whatever is held at the end. Not thread-safe: one per sequence.
/// </summary>
/// <remarks>
/// Relies on decoding being concatenative once the text decoded so far is complete, which holds for byte-level
/// BPE: ids are kept only until the text they decode to has no incomplete character at its end.
/// </remarks>
public sealed class IncrementalDetokenizer
{
    private const char ReplacementCharacter = '\uFFFD';

    private readonly ITextTokenizer _tokenizer;
    private readonly bool _skipSpecialTokens;
    private readonly List<int> _pending = [];
    private int _emittedChars;

    /// <summary>Creates a detokenizer over <paramref name="tokenizer"/>; special tokens are dropped when <paramref name="skipSpecialTokens"/> is set.</summary>
    public IncrementalDetokenizer(ITextTokenizer tokenizer, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        _skipSpecialTokens = skipSpecialTokens;
    }

    /// <summary>Adds the next ids and returns the text they complete (possibly empty).</summary>
    public string Append(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        _pending.AddRange(ids);
        if (_pending.Count == 0)
        {
            return string.Empty;
        }

        string text = _tokenizer.Decode(_pending, _skipSpecialTokens);
        int end = text.Length;
        while (end > _emittedChars && text[end - 1] == ReplacementCharacter)
        {
            end--;
        }

        string fresh = text[_emittedChars..end];
        if (end == text.Length)
        {
            // Everything decoded is complete: later ids cannot change it, so forget them.
            _pending.Clear();
            _emittedChars = 0;
        }
        else
        {
            _emittedChars = end;
        }

        return fresh;
    }

    /// <summary>Returns the text still held back (an incomplete character decodes as U+FFFD) and resets the state.</summary>
    public string Flush()
    {
        string rest = _pending.Count == 0 ? string.Empty : _tokenizer.Decode(_pending, _skipSpecialTokens)[_emittedChars..];
        _pending.Clear();
        _emittedChars = 0;
        return rest;
    }
}
