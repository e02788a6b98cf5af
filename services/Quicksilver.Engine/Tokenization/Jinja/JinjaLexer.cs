using System.Globalization;
using System.Text;

namespace Quicksilver.Engine.Tokenization.Jinja;

/// <summary>What a piece of template source is: literal text, an output tag's expression, or a statement tag's.</summary>
internal enum SegmentKind
{
    Text,
    Output,
    Statement,
}

/// <summary>A piece of template source; tags carry their tokens and the line they start on.</summary>
internal sealed record Segment(SegmentKind Kind, string Text, IReadOnlyList<Token> Tokens, int Line);

internal enum TokenKind
{
    Name,
    String,
    Integer,
    Float,
    Operator,
    End,
}

internal sealed record Token(TokenKind Kind, string Text, int Line)
{
    public bool Is(string text) => Kind is TokenKind.Operator or TokenKind.Name && Text == text;
}

/// <summary>
/// Splits a template into text and tags, with Hugging Face's whitespace rules (<c>trim_blocks</c>: the first newline
/// after a statement or comment tag goes; <c>lstrip_blocks</c>: spaces and tabs before one at the start of a line go)
/// and Jinja's <c>-</c> markers (all whitespace on that side goes; <c>+</c> keeps it), then a tag's expression into
/// tokens.
/// </summary>
internal static class JinjaLexer
{
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ".", ",", ":", "|"];

    public static List<Segment> Split(string source)
    {
        // As Jinja2 reads a template: any line ending is '\n', and one newline at the very end is dropped
        // (keep_trailing_newline is off).
        source = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (source.EndsWith('\n'))
        {
            source = source[..^1];
        }

        var segments = new List<Segment>();
        int position = 0;
        bool trimNextText = false;
        bool dropNextNewline = false;
        bool lineStarting = true;
        int countedTo = 0;
        int line = 1;
        while (position < source.Length)
        {
            int open = NextTag(source, position);
            string text = source[position..(open < 0 ? source.Length : open)];
            if (trimNextText)
            {
                string trimmed = PythonText.StripStart(text);
                lineStarting = text.Length > trimmed.Length && text[..(text.Length - trimmed.Length)].EndsWith('\n');
                text = trimmed;
            }
            else if (dropNextNewline && text.StartsWith('\n'))
            {
                text = text[1..];
                lineStarting = true;
            }

            if (open < 0)
            {
                Add(segments, text);
                break;
            }

            char kind = source[open + 1];
            string close = kind switch { '{' => "}}", '%' => "%}", _ => "#}" };
            int inner = open + 2;
            char marker = inner < source.Length ? source[inner] : '\0';
            if (marker == '-')
            {
                text = PythonText.StripEnd(text);
                inner++;
            }
            else if (marker == '+')
            {
                inner++;
            }
            else if (kind != '{')
            {
                // lstrip_blocks: spaces and tabs between the start of a line and the tag go.
                int lineStart = text.LastIndexOf('\n') + 1;
                if ((lineStart > 0 || lineStarting) && text[lineStart..].All(c => c is ' ' or '\t'))
                {
                    text = text[..lineStart];
                }
            }

            Add(segments, text);
            // Tags come in order, so each one's line counts only the newlines since the previous tag.
            line += source.AsSpan(countedTo, open - countedTo).Count('\n');
            countedTo = open;
            int end = FindClose(source, inner, close, kind == '#', line);
            bool trimAfter = end > inner && source[end - 1] == '-';
            string body = source[inner..(trimAfter ? end - 1 : end)];
            if (kind == '%' && body.Trim() == "raw")
            {
                int rawEnd = FindEndRaw(source, end + 2, line, out int afterEndRaw, out bool trimAfterRaw);
                segments.Add(new Segment(SegmentKind.Text, source[(end + 2)..rawEnd], [], line));
                position = afterEndRaw;
                trimNextText = trimAfterRaw;
                dropNextNewline = !trimAfterRaw;
                lineStarting = false;
                continue;
            }

            if (kind != '#')
            {
                segments.Add(new Segment(kind == '{' ? SegmentKind.Output : SegmentKind.Statement, body, Tokenize(body, line), line));
            }

            position = end + close.Length;
            trimNextText = trimAfter;
            dropNextNewline = !trimAfter && kind != '{';
            lineStarting = false;
        }

        return segments;
    }

    private static void Add(List<Segment> segments, string text)
    {
        if (text.Length > 0)
        {
            segments.Add(new Segment(SegmentKind.Text, text, [], 0));
        }
    }

    private static int NextTag(string source, int from)
    {
        for (int i = source.IndexOf('{', from); i >= 0 && i + 1 < source.Length; i = source.IndexOf('{', i + 1))
        {
            if (source[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    private static int FindClose(string source, int from, string close, bool comment, int line)
    {
        if (comment)
        {
            int commentEnd = source.IndexOf(close, from, StringComparison.Ordinal);
            return commentEnd >= 0 ? commentEnd : throw new JinjaException($"line {line}: a comment is not closed");
        }

        char? quote = null;
        int braces = 0;
        for (int i = from; i < source.Length; i++)
        {
            char c = source[i];
            if (quote is not null)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = null;
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '{')
            {
                braces++;
            }
            else if (c == '}' && braces > 0)
            {
                braces--; // a dict literal's brace, not the tag's end
            }
            else if (string.CompareOrdinal(source, i, close, 0, 2) == 0)
            {
                return i;
            }
            else if (c == '-' && string.CompareOrdinal(source, i + 1, close, 0, 2) == 0)
            {
                return i + 1;
            }
        }

        throw new JinjaException($"line {line}: a tag is not closed with '{close}'");
    }

    private static int FindEndRaw(string source, int from, int line, out int after, out bool trimAfter)
    {
        for (int i = source.IndexOf("{%", from, StringComparison.Ordinal); i >= 0; i = source.IndexOf("{%", i + 2, StringComparison.Ordinal))
        {
            int inner = source[i + 2] is '-' or '+' ? i + 3 : i + 2;
            int close = source.IndexOf("%}", inner, StringComparison.Ordinal);
            if (close > 0)
            {
                trimAfter = source[close - 1] == '-';
                if (source[inner..(trimAfter ? close - 1 : close)].Trim() == "endraw")
                {
                    after = close + 2;
                    return i;
                }
            }
        }

        throw new JinjaException($"line {line}: 'raw' without 'endraw'");
    }

    private static int Hex(string body, int at, int digits, int line) =>
        int.TryParse(body.AsSpan(at, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code) && code is >= 0 and <= 0x10FFFF
            ? code
            : throw new JinjaException($"line {line}: a \\x, \\u or \\U escape needs {digits} hex digits");

    public static List<Token> Tokenize(string body, int line)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < body.Length)
        {
            char c = body[i];
            if (char.IsWhiteSpace(c))
            {
                line += c == '\n' ? 1 : 0;
                i++;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                int start = i;
                while (i < body.Length && (char.IsLetterOrDigit(body[i]) || body[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Name, body[start..i], line));
            }
            else if (char.IsDigit(c))
            {
                int start = i;
                while (i < body.Length && (char.IsDigit(body[i]) || body[i] == '_'))
                {
                    i++;
                }

                bool isFloat = false;
                if (i + 1 < body.Length && body[i] == '.' && char.IsDigit(body[i + 1]))
                {
                    isFloat = true;
                    i++;
                    while (i < body.Length && (char.IsDigit(body[i]) || body[i] == '_'))
                    {
                        i++;
                    }
                }

                int exponent = i < body.Length && body[i] is 'e' or 'E' ? i + 1 : -1;
                if (exponent > 0 && exponent < body.Length && body[exponent] is '+' or '-')
                {
                    exponent++;
                }

                if (exponent > 0 && exponent < body.Length && char.IsDigit(body[exponent]))
                {
                    isFloat = true;
                    i = exponent;
                    while (i < body.Length && char.IsDigit(body[i]))
                    {
                        i++;
                    }
                }

                string number = body[start..i].Replace("_", string.Empty, StringComparison.Ordinal);
                tokens.Add(new Token(isFloat ? TokenKind.Float : TokenKind.Integer, number, line));
            }
            else if (c is '\'' or '"')
            {
                tokens.Add(new Token(TokenKind.String, ReadString(body, ref i, line), line));
            }
            else
            {
                string? op = Operators.FirstOrDefault(o => string.CompareOrdinal(body, i, o, 0, o.Length) == 0);
                if (op is null)
                {
                    throw new JinjaException($"line {line}: unexpected character '{c}'");
                }

                tokens.Add(new Token(TokenKind.Operator, op, line));
                i += op.Length;
            }
        }

        tokens.Add(new Token(TokenKind.End, string.Empty, line));
        return tokens;
    }

    /// <summary>A Python string literal's value: the escapes Python reads (<c>\n \t \r \\ \' \"</c>, <c>\xNN \uNNNN</c>); others stay as written.</summary>
    private static string ReadString(string body, ref int i, int line)
    {
        char quote = body[i++];
        var value = new StringBuilder();
        while (i < body.Length && body[i] != quote)
        {
            char c = body[i++];
            if (c != '\\' || i >= body.Length)
            {
                value.Append(c);
                continue;
            }

            char escape = body[i++];
            switch (escape)
            {
                case 'n': value.Append('\n'); break;
                case 't': value.Append('\t'); break;
                case 'r': value.Append('\r'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case 'v': value.Append('\v'); break;
                case 'a': value.Append('\a'); break;
                case '0': value.Append('\0'); break;
                case '\\': value.Append('\\'); break;
                case '\'': value.Append('\''); break;
                case '"': value.Append('"'); break;
                case '\n': break;
                case 'x' when i + 2 <= body.Length:
                    value.Append((char)Hex(body, i, 2, line));
                    i += 2;
                    break;
                case 'u' when i + 4 <= body.Length:
                    value.Append((char)Hex(body, i, 4, line));
                    i += 4;
                    break;
                case 'U' when i + 8 <= body.Length:
                    value.Append(char.ConvertFromUtf32(Hex(body, i, 8, line)));
                    i += 8;
                    break;
                default: value.Append('\\').Append(escape); break;
            }
        }

        if (i >= body.Length)
        {
            throw new JinjaException($"line {line}: a string is not closed");
        }

        i++;
        return value.ToString();
    }
}
