using System.Text;
using System.Text.RegularExpressions;

namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>What the chat templates read from a Jinja template's text, and Jinja's string behaviour they reproduce.</summary>
internal static partial class TemplateText
{
    /// <summary>The template passes the content through Jinja's <c>trim</c> filter.</summary>
    [GeneratedRegex(@"\|\s*trim\b", RegexOptions.CultureInvariant)]
    public static partial Regex TrimFilter();

    /// <summary>The template writes the tokenizer's <c>bos_token</c>.</summary>
    [GeneratedRegex(@"\bbos_token\b", RegexOptions.CultureInvariant)]
    public static partial Regex BosToken();

    /// <summary>
    /// A string literal that is a whole ChatML system turn, e.g. Qwen's
    /// <c>'&lt;|im_start|&gt;system\nYou are a helpful assistant.&lt;|im_end|&gt;\n'</c>: the default system message,
    /// written when the conversation has none. The newline may be a real one or a <c>\n</c> escape.
    /// </summary>
    [GeneratedRegex(
        @"(?<quote>['""])<\|im_start\|>system(?:\\n|\n)(?<text>(?:(?!\k<quote>)[^\\]|\\.)*?)<\|im_end\|>",
        RegexOptions.CultureInvariant)]
    public static partial Regex DefaultSystemTurn();

    /// <summary>A conversation ends with a generation prompt or an open last message, not both.</summary>
    public static void RequireOneEnding(bool addGenerationPrompt, bool continueFinalMessage)
    {
        if (addGenerationPrompt && continueFinalMessage)
        {
            throw new ArgumentException("A conversation cannot both continue its final message and open the assistant's turn.", nameof(continueFinalMessage));
        }
    }

    /// <summary>
    /// Python's <c>str.strip()</c>, which Jinja's <c>trim</c> filter calls: <see cref="char.IsWhiteSpace(char)"/>
    /// plus U+001C–U+001F (file, group, record and unit separators), which Python counts as whitespace and .NET does not.
    /// </summary>
    public static string Strip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int start = 0;
        int end = text.Length;
        while (start < end && IsPythonWhitespace(text[start]))
        {
            start++;
        }

        while (end > start && IsPythonWhitespace(text[end - 1]))
        {
            end--;
        }

        return text[start..end];
    }

    /// <summary>Whether Python's <c>str.isspace()</c> holds for the character.</summary>
    public static bool IsPythonWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    /// <summary>
    /// The value of a Jinja string literal's body: <c>\n</c>, <c>\t</c>, <c>\r</c>, escaped quotes and backslashes;
    /// other escapes stay as written, as in Python.
    /// </summary>
    public static string Unescape(string literal)
    {
        ArgumentNullException.ThrowIfNull(literal);
        var text = new StringBuilder(literal.Length);
        for (int i = 0; i < literal.Length; i++)
        {
            char c = literal[i];
            if (c != '\\' || i + 1 == literal.Length)
            {
                text.Append(c);
                continue;
            }

            char next = literal[++i];
            switch (next)
            {
                case 'n':
                    text.Append('\n');
                    break;
                case 't':
                    text.Append('\t');
                    break;
                case 'r':
                    text.Append('\r');
                    break;
                case '\\' or '\'' or '"':
                    text.Append(next);
                    break;
                default:
                    // Python keeps unknown escapes as written.
                    text.Append('\\').Append(next);
                    break;
            }
        }

        return text.ToString();
    }
}
