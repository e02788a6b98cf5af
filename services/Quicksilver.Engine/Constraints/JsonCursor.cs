using System.Runtime.CompilerServices;

namespace Quicksilver.Engine.Constraints;

/// <summary>
/// A byte-level recognizer of one JSON object (RFC 8259), read as a prefix: <see cref="Step(byte)"/> refuses the first byte
/// after which no completion could be a valid object, and <see cref="IsComplete"/> says when the object has closed.
/// A value type of fixed size (the container stack inline), so trying a token is copying the cursor and stepping the
/// copy. The object starts at the first byte (no whitespace before it, as OpenAI's JSON answers), and two limits keep a
/// model from stalling inside a valid prefix: at most <see cref="MaxDepth"/> nested containers and
/// <see cref="MaxWhitespaceRun"/> whitespace bytes in a row between tokens of the JSON (a newline and the indentation of
/// fifteen levels of four spaces; inside strings any run is text).
/// </summary>
internal struct JsonCursor : IByteCursor<JsonCursor>
{
    public const int MaxDepth = 32;
    public const int MaxWhitespaceRun = 64;

    private ContainerStack _stack;
    private Mode _mode;
    private byte _depth;
    private byte _pending;
    private byte _literal;
    private byte _whitespaceRun;
    private bool _stringIsKey;

    private enum Mode : byte
    {
        Start,
        ObjectFirst,
        KeyStart,
        Colon,
        ValueStart,
        ArrayFirst,
        AfterValue,
        InString,
        Escape,
        Unicode,
        Literal,
        Minus,
        Zero,
        IntegerDigits,
        Dot,
        FractionDigits,
        Exponent,
        ExponentSign,
        ExponentDigits,
        Done,
    }

    public readonly bool IsComplete => _mode == Mode.Done;

    public bool Step(byte b)
    {
        switch (_mode)
        {
            case Mode.InString:
                if (b == (byte)'"')
                {
                    return _stringIsKey ? Become(Mode.Colon) : ValueDone();
                }

                if (b == (byte)'\\')
                {
                    _mode = Mode.Escape;
                }

                return b >= 0x20;
            case Mode.Escape:
                if (b == (byte)'u')
                {
                    (_mode, _pending) = (Mode.Unicode, 4);
                    return true;
                }

                _mode = Mode.InString;
                return b is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t';
            case Mode.Unicode:
                if (!char.IsAsciiHexDigit((char)b))
                {
                    return false;
                }

                if (--_pending == 0)
                {
                    _mode = Mode.InString;
                }

                return true;
            case Mode.Literal:
                ReadOnlySpan<byte> literal = Literal(_literal);
                if (b != literal[_pending])
                {
                    return false;
                }

                return ++_pending < literal.Length || ValueDone();
            case Mode.Minus:
                return StartDigits(b);
            case Mode.Zero:
                return b switch
                {
                    (byte)'.' => Become(Mode.Dot),
                    (byte)'e' or (byte)'E' => Become(Mode.Exponent),
                    _ => EndNumber(b),
                };
            case Mode.IntegerDigits:
                return b switch
                {
                    >= (byte)'0' and <= (byte)'9' => true,
                    (byte)'.' => Become(Mode.Dot),
                    (byte)'e' or (byte)'E' => Become(Mode.Exponent),
                    _ => EndNumber(b),
                };
            case Mode.Dot:
                return IsDigit(b) && Become(Mode.FractionDigits);
            case Mode.FractionDigits:
                return b switch
                {
                    >= (byte)'0' and <= (byte)'9' => true,
                    (byte)'e' or (byte)'E' => Become(Mode.Exponent),
                    _ => EndNumber(b),
                };
            case Mode.Exponent:
                return b is (byte)'+' or (byte)'-' ? Become(Mode.ExponentSign) : IsDigit(b) && Become(Mode.ExponentDigits);
            case Mode.ExponentSign:
                return IsDigit(b) && Become(Mode.ExponentDigits);
            case Mode.ExponentDigits:
                return IsDigit(b) || EndNumber(b);
            case Mode.Done:
                return false;
            default:
                return Structural(b);
        }
    }

    public readonly bool Equals(JsonCursor other)
    {
        if ((_mode, _depth, _pending, _literal, _whitespaceRun, _stringIsKey) != (other._mode, other._depth, other._pending, other._literal, other._whitespaceRun, other._stringIsKey))
        {
            return false;
        }

        return ((ReadOnlySpan<byte>)_stack)[.._depth].SequenceEqual(((ReadOnlySpan<byte>)other._stack)[.._depth]);
    }

    public override readonly bool Equals(object? obj) => obj is JsonCursor other && Equals(other);

    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_mode);
        hash.Add(_pending);
        hash.Add(_literal);
        hash.Add(_whitespaceRun);
        hash.Add(_stringIsKey);
        hash.AddBytes(((ReadOnlySpan<byte>)_stack)[.._depth]);
        return hash.ToHashCode();
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

    private static ReadOnlySpan<byte> Literal(byte first) => first switch
    {
        (byte)'t' => "true"u8,
        (byte)'f' => "false"u8,
        _ => "null"u8,
    };

    private bool Become(Mode mode)
    {
        _mode = mode;
        return true;
    }

    private bool StartDigits(byte b) => b switch
    {
        (byte)'0' => Become(Mode.Zero),
        >= (byte)'1' and <= (byte)'9' => Become(Mode.IntegerDigits),
        _ => false,
    };

    /// <summary>A number ends at the first byte that cannot continue it, which is then read after the value.</summary>
    private bool EndNumber(byte b) => ValueDone() && Step(b);

    /// <summary>Bytes between values, keys and punctuation: whitespace (limited), or the next structural byte.</summary>
    private bool Structural(byte b)
    {
        if (IsWhitespace(b) && _mode != Mode.Start)
        {
            return ++_whitespaceRun <= MaxWhitespaceRun;
        }

        _whitespaceRun = 0;
        switch (_mode)
        {
            case Mode.Start:
                return b == (byte)'{' && Open((byte)'{', Mode.ObjectFirst);
            case Mode.ObjectFirst:
                return b == (byte)'}' ? Close() : StartKey(b);
            case Mode.KeyStart:
                return StartKey(b);
            case Mode.Colon:
                return b == (byte)':' && Become(Mode.ValueStart);
            case Mode.ArrayFirst:
                return b == (byte)']' ? Close() : StartValue(b);
            case Mode.ValueStart:
                return StartValue(b);
            case Mode.AfterValue:
                byte container = _stack[_depth - 1];
                return b switch
                {
                    (byte)',' => Become(container == (byte)'{' ? Mode.KeyStart : Mode.ValueStart),
                    (byte)'}' => container == (byte)'{' && Close(),
                    (byte)']' => container == (byte)'[' && Close(),
                    _ => false,
                };
            default:
                throw new InvalidOperationException($"Mode {_mode} reads no structural byte.");
        }
    }

    private bool StartKey(byte b)
    {
        (_mode, _stringIsKey) = (Mode.InString, true);
        return b == (byte)'"';
    }

    private bool StartValue(byte b)
    {
        switch (b)
        {
            case (byte)'{':
                return Open(b, Mode.ObjectFirst);
            case (byte)'[':
                return Open(b, Mode.ArrayFirst);
            case (byte)'"':
                (_mode, _stringIsKey) = (Mode.InString, false);
                return true;
            case (byte)'-':
                return Become(Mode.Minus);
            case (byte)'t' or (byte)'f' or (byte)'n':
                (_mode, _literal, _pending) = (Mode.Literal, b, 1);
                return true;
            default:
                return StartDigits(b);
        }
    }

    private bool Open(byte container, Mode mode)
    {
        if (_depth == MaxDepth)
        {
            return false;
        }

        _stack[_depth++] = container;
        return Become(mode);
    }

    private bool Close()
    {
        _depth--;
        return ValueDone();
    }

    /// <summary>A value has ended: the top-level object completes the document; inside a container, a separator or the close comes next.</summary>
    private bool ValueDone()
    {
        // A value's own fields go with it, so that equal positions in the document are equal cursors.
        (_whitespaceRun, _pending, _literal, _stringIsKey) = (0, 0, 0, false);
        return Become(_depth == 0 ? Mode.Done : Mode.AfterValue);
    }

    [InlineArray(MaxDepth)]
    private struct ContainerStack
    {
        private byte _element;
    }
}
