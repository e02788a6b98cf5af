namespace Quicksilver.Engine.Tokenization.Jinja;

/// <summary>Python's whitespace, as <c>str.strip()</c> (and Jinja's <c>trim</c>) removes it: .NET's plus U+001C–U+001F.</summary>
public static class PythonText
{
    /// <summary>Whether Python's <c>str.isspace()</c> holds for the character.</summary>
    public static bool IsWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    /// <summary>Python's <c>str.strip()</c>.</summary>
    public static string Strip(string text) => StripEnd(StripStart(text));

    /// <summary>Python's <c>str.lstrip()</c>.</summary>
    public static string StripStart(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int start = 0;
        while (start < text.Length && IsWhitespace(text[start]))
        {
            start++;
        }

        return text[start..];
    }

    /// <summary>Python's <c>str.rstrip()</c>.</summary>
    public static string StripEnd(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int end = text.Length;
        while (end > 0 && IsWhitespace(text[end - 1]))
        {
            end--;
        }

        return text[..end];
    }
}
