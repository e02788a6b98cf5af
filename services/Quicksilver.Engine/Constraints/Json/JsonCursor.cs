using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Constraints.Json;

/// <summary>
/// A byte-level recognizer of one JSON object (RFC 8259) that a <see cref="JsonGrammar"/> allows, read as a prefix:
/// <see cref="Step(byte)"/> refuses the first byte after which no completion could be such an object, and
/// <see cref="IsComplete"/> says when the object has closed. A value type of fixed size (the container stack inline),
/// so trying a token is copying the cursor and stepping the copy. The object starts at the first byte (no whitespace
/// before it, as OpenAI's JSON answers), and two limits keep a model from stalling inside a valid prefix: at most
/// <see cref="MaxDepth"/> nested containers and <see cref="MaxWhitespaceRun"/> whitespace byte at a time between tokens
/// of the JSON, as Outlines allows (<c>{"a": 1, "b": [2, 3]}</c>, or compact; inside strings any run is text): a small
/// model drawn to whitespace would otherwise spend its whole budget on it.
/// </summary>
internal struct JsonCursor : IByteCursor<JsonCursor>
{
    public const int MaxDepth = 32;
    public const int MaxWhitespaceRun = 1;

    private readonly JsonGrammar _grammar;
    private FrameStack _frames;
    private Mode _mode;
    private byte _depth;
    private byte _pending;
    private byte _whitespaceRun;
    private bool _stringIsKey;

    // The node of the value being started or read; in a key, the node its value will have.
    private ushort _node;

    // Bytes of a key or literal matched so far; characters of a string counted so far.
    private ushort _offset;

    // The literals (sorted) that start with the bytes of the literal read so far.
    private ushort _first;
    private ushort _end;

    // The declared properties that start with the bytes of the key read so far.
    private ulong _keys;

    public JsonCursor(JsonGrammar grammar)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        _grammar = grammar;
    }

    private enum Mode : byte
    {
        Start,
        ObjectFirst,
        KeyStart,
        Key,
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

    /// <summary>The cursor of <see cref="JsonGrammar.AnyObject"/>: any JSON object.</summary>
    public static JsonCursor AnyObject => new(JsonGrammar.AnyObject);

    public readonly bool IsComplete => _mode == Mode.Done;

    private readonly JsonGrammarNode Node => _grammar.Nodes[_node];

    public bool Step(byte b)
    {
        switch (_mode)
        {
            case Mode.InString:
                return StringByte(b);
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
            case Mode.Key:
                return KeyByte(b);
            case Mode.Literal:
                return LiteralByte(b);
            case Mode.Minus:
                return StartDigits(b);
            case Mode.Zero:
                return b switch
                {
                    (byte)'.' => Fraction(Mode.Dot),
                    (byte)'e' or (byte)'E' => Fraction(Mode.Exponent),
                    _ => EndNumber(b),
                };
            case Mode.IntegerDigits:
                return b switch
                {
                    >= (byte)'0' and <= (byte)'9' => true,
                    (byte)'.' => Fraction(Mode.Dot),
                    (byte)'e' or (byte)'E' => Fraction(Mode.Exponent),
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

    public readonly bool Equals(JsonCursor other) =>
        ReferenceEquals(_grammar, other._grammar)
        && (_mode, _depth, _pending, _whitespaceRun, _stringIsKey, _node, _offset, _first, _end, _keys)
            == (other._mode, other._depth, other._pending, other._whitespaceRun, other._stringIsKey, other._node, other._offset, other._first, other._end, other._keys)
        && Frames.SequenceEqual(other.Frames);

    public override readonly bool Equals(object? obj) => obj is JsonCursor other && Equals(other);

    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(HashCode.Combine(_mode, _pending, _whitespaceRun, _stringIsKey, _node, _offset, _first, _end));
        hash.Add(_keys);
        hash.AddBytes(Frames);
        return hash.ToHashCode();
    }

    /// <summary>The open containers as bytes (a frame has no padding), for equality and hashing.</summary>
    [UnscopedRef]
    private readonly ReadOnlySpan<byte> Frames => MemoryMarshal.AsBytes(((ReadOnlySpan<Frame>)_frames)[.._depth]);

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

    private bool Become(Mode mode)
    {
        _mode = mode;
        return true;
    }

    /// <summary>A fraction or an exponent, which an integer's node refuses.</summary>
    private bool Fraction(Mode mode) => Node.Number == JsonNumberKind.Any && Become(mode);

    private bool StartDigits(byte b) => b switch
    {
        (byte)'0' => Become(Mode.Zero),
        >= (byte)'1' and <= (byte)'9' => Become(Mode.IntegerDigits),
        _ => false,
    };

    /// <summary>A number ends at the first byte that cannot continue it, which is then read after the value.</summary>
    private bool EndNumber(byte b) => ValueDone() && Step(b);

    private bool StringByte(byte b)
    {
        if (b == (byte)'"')
        {
            if (_stringIsKey)
            {
                _stringIsKey = false;
                return Become(Mode.Colon);
            }

            return _offset >= Node.String!.MinLength && ValueDone();
        }

        if (b < 0x20)
        {
            return false;
        }

        if (b == (byte)'\\')
        {
            _mode = Mode.Escape;
        }

        // A character starts at any byte but a UTF-8 continuation byte; a key's are not counted.
        return _stringIsKey || (b & 0xC0) == 0x80 || CountCharacter();
    }

    private bool CountCharacter()
    {
        JsonStringShape shape = Node.String!;
        if (_offset >= shape.MaxLength)
        {
            return false;
        }

        if (_offset < shape.CountUpTo)
        {
            _offset++;
        }

        return true;
    }

    private bool LiteralByte(byte b)
    {
        byte[][] literals = Node.Literals;
        (int first, int end) = SortedByteStrings.Narrow(literals, _first, _end, _offset, b);
        if (first < end)
        {
            (_first, _end) = ((ushort)first, (ushort)end);
            _offset++;
            return true;
        }

        // The shortest literal left sorts first; when it is whole, the byte is the one after the value.
        return literals[_first].Length == _offset && ValueDone() && Step(b);
    }

    /// <summary>A declared key's next byte narrows its candidates; the one whose closing quote it is becomes the key.</summary>
    private bool KeyByte(byte b)
    {
        JsonGrammarProperty[] properties = _grammar.Nodes[Top.Node].Object!.Properties;
        ulong keys = 0;
        for (ulong left = _keys; left != 0; left &= left - 1)
        {
            int i = BitOperations.TrailingZeroCount(left);
            byte[] key = properties[i].Key;
            if (key.Length > _offset && key[_offset] == b)
            {
                keys |= 1UL << i;
            }
        }

        if (keys == 0)
        {
            return false;
        }

        _offset++;
        int candidate = BitOperations.TrailingZeroCount(keys);

        // A key ends at its unescaped closing quote, which no other key can have at the same place.
        if (properties[candidate].Key.Length == _offset)
        {
            Top.Count = (ushort)(candidate + 1);
            (_node, _offset, _keys) = ((ushort)properties[candidate].Node, 0, 0);
            return Become(Mode.Colon);
        }

        _keys = keys;
        return true;
    }

    [UnscopedRef]
    private ref Frame Top => ref _frames[_depth - 1];

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
            case Mode.Start or Mode.ValueStart:
                return StartValue(b);
            case Mode.ObjectFirst:
                return b == (byte)'}' ? ObjectShape.MayClose(0) && Close() : StartKey(b);
            case Mode.KeyStart:
                return StartKey(b);
            case Mode.Colon:
                return b == (byte)':' && Become(Mode.ValueStart);
            case Mode.ArrayFirst:
                if (b == (byte)']')
                {
                    return ArrayShape.MinItems == 0 && Close();
                }

                return NextItem() && StartValue(b);
            case Mode.AfterValue when Top.Container == '{':
                return b switch
                {
                    (byte)',' => ObjectShape.MayContinue(Top.Count) && Become(Mode.KeyStart),
                    (byte)'}' => ObjectShape.MayClose(Top.Count) && Close(),
                    _ => false,
                };
            case Mode.AfterValue:
                return b switch
                {
                    (byte)',' => NextItem() && Become(Mode.ValueStart),
                    (byte)']' => Top.Count >= ArrayShape.MinItems && Close(),
                    _ => false,
                };
            default:
                throw new InvalidOperationException($"Mode {_mode} reads no structural byte.");
        }
    }

    private readonly JsonObjectShape ObjectShape => _grammar.Nodes[_frames[_depth - 1].Node].Object!;

    private readonly JsonArrayShape ArrayShape => _grammar.Nodes[_frames[_depth - 1].Node].Array!;

    /// <summary>Counts an item of the open array, when it has room for one, and makes the item's node the next value's.</summary>
    private bool NextItem()
    {
        JsonArrayShape shape = ArrayShape;
        if (Top.Count >= shape.MaxItems)
        {
            return false;
        }

        // Past what the limits need, items are not counted, so the states after them are the same.
        if (Top.Count < shape.CountUpTo)
        {
            Top.Count++;
        }

        _node = (ushort)shape.Items;
        return true;
    }

    private bool StartKey(byte b)
    {
        JsonObjectShape shape = ObjectShape;
        if (shape.Values is { } values)
        {
            (_mode, _stringIsKey, _node) = (Mode.InString, true, (ushort)values);
            return b == (byte)'"';
        }

        (_mode, _keys, _offset) = (Mode.Key, shape.Candidates(Top.Count), 0);
        return _keys != 0 && KeyByte(b);
    }

    private bool StartValue(byte b)
    {
        JsonGrammarNode node = Node;
        (int first, int end) = SortedByteStrings.Narrow(node.Literals, 0, node.Literals.Length, 0, b);
        if (first < end)
        {
            (_mode, _first, _end, _offset) = (Mode.Literal, (ushort)first, (ushort)end, 1);
            return true;
        }

        switch (b)
        {
            case (byte)'{':
                return node.Object is not null && Open(b, Mode.ObjectFirst);
            case (byte)'[':
                return node.Array is not null && Open(b, Mode.ArrayFirst);
            case (byte)'"':
                (_mode, _stringIsKey, _offset) = (Mode.InString, false, 0);
                return node.String is not null;
            case (byte)'-':
                return node.Number != JsonNumberKind.None && Become(Mode.Minus);
            default:
                return node.Number != JsonNumberKind.None && StartDigits(b);
        }
    }

    private bool Open(byte container, Mode mode)
    {
        if (_depth == MaxDepth)
        {
            return false;
        }

        _frames[_depth++] = new Frame { Node = _node, Container = container };
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
        (_whitespaceRun, _pending, _stringIsKey, _node, _offset, _first, _end, _keys) = (0, 0, false, 0, 0, 0, 0, 0);
        return Become(_depth == 0 ? Mode.Done : Mode.AfterValue);
    }

    /// <summary>An open container: its node, its brace or bracket, and its progress (an object's next property, an array's items so far).</summary>
    private struct Frame
    {
        public ushort Node;
        public ushort Container;
        public ushort Count;
    }

    [InlineArray(MaxDepth)]
    private struct FrameStack
    {
        private Frame _element;
    }
}
