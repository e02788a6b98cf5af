using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Server.Completions;

/// <summary>
/// Where each answer token starts in the answer's text, in characters (code points): at the character its first byte
/// falls in. The text is decoded over a window of the tokens since it last ended on a whole character, so a token that
/// continues a character split across tokens gets that character's offset, while a byte that turns out to be invalid
/// (U+FFFD in the text, once the next token does not complete it) is the one character it becomes. A token whose first
/// byte ends an invalid sequence that also holds bytes of it (<c>E2</c> then <c>82 2C</c>) is placed after it.
/// </summary>
internal sealed class TokenTextOffsets(ITextTokenizer tokenizer)
{
    private const char ReplacementCharacter = '\uFFFD';

    private readonly List<int> _window = [];
    private string _windowText = string.Empty;
    private int _windowStart;

    /// <summary>The offset of <paramref name="token"/>, the answer's next token.</summary>
    public int Next(int token)
    {
        _window.Add(token);
        string text = tokenizer.Decode(_window);
        int before = TokenLogprobTracker.Characters(_windowText);
        int common = CommonCharacters(_windowText, text);
        bool continuesTheLastCharacter = text == _windowText && text.EndsWith(ReplacementCharacter) && tokenizer.Decode([token]).Length > 0;
        int offset = _windowStart + (common < before ? common : continuesTheLastCharacter ? before - 1 : before);
        if (text.Length == 0 || text[^1] != ReplacementCharacter)
        {
            _windowStart += TokenLogprobTracker.Characters(text);
            _window.Clear();
            _windowText = string.Empty;
        }
        else
        {
            _windowText = text;
        }

        return offset;
    }

    /// <summary>The code points <paramref name="a"/> and <paramref name="b"/> share at their start.</summary>
    private static int CommonCharacters(string a, string b)
    {
        int units = a.AsSpan().CommonPrefixLength(b);
        if (units > 0 && units < a.Length && units < b.Length && char.IsHighSurrogate(a[units - 1]))
        {
            units--; // the pair differs in its low half: a different character
        }

        return TokenLogprobTracker.Characters(a[..units]);
    }
}
