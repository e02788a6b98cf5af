using System.Text;
using Quicksilver.Engine.Constraints.Json;

namespace Quicksilver.Engine.Constraints;

/// <summary>
/// A byte-level recognizer of one tool call in Hermes' syntax, exactly as Qwen's and Dream's templates show it to the
/// model: <c>&lt;tool_call&gt;\n{"name": "NAME", "arguments": ARGUMENTS}\n&lt;/tool_call&gt;</c>, NAME one of the
/// offered functions' names, ARGUMENTS a JSON object (<see cref="JsonCursor"/>). The names are kept sorted, so the
/// names that start with the bytes read so far are a range, and the shortest of them is its first.
/// </summary>
internal struct ToolCallCursor : IByteCursor<ToolCallCursor>
{
    private readonly byte[][] _names;
    private JsonCursor _arguments;
    private Phase _phase;
    private int _offset;
    private int _first;
    private int _end;

    public ToolCallCursor(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            throw new ArgumentException("A forced tool call needs at least one name.", nameof(names));
        }

        _names = SortedByteStrings.Sort(names.Select(Encoding.UTF8.GetBytes));
        _end = _names.Length;
        _arguments = JsonCursor.AnyObject;
    }

    private enum Phase : byte
    {
        Open,
        Name,
        BeforeArguments,
        Arguments,
        Close,
        Done,
    }

    public readonly bool IsComplete => _phase == Phase.Done;

    private static ReadOnlySpan<byte> OpenText => "<tool_call>\n{\"name\": \""u8;

    private static ReadOnlySpan<byte> BeforeArgumentsText => "\", \"arguments\": "u8;

    private static ReadOnlySpan<byte> CloseText => "}\n</tool_call>"u8;

    public bool Step(byte b)
    {
        switch (_phase)
        {
            case Phase.Open:
                return Literal(OpenText, b, Phase.Name);
            case Phase.Name:
                return NameByte(b);
            case Phase.BeforeArguments:
                return Literal(BeforeArgumentsText, b, Phase.Arguments);
            case Phase.Arguments:
                if (!_arguments.Step(b))
                {
                    return false;
                }

                if (_arguments.IsComplete)
                {
                    (_phase, _offset) = (Phase.Close, 0);
                }

                return true;
            case Phase.Close:
                return Literal(CloseText, b, Phase.Done);
            default:
                return false;
        }
    }

    public readonly bool Equals(ToolCallCursor other) =>
        (_phase, _offset, _first, _end) == (other._phase, other._offset, other._first, other._end) && _arguments.Equals(other._arguments);

    public override readonly bool Equals(object? obj) => obj is ToolCallCursor other && Equals(other);

    public override readonly int GetHashCode() => HashCode.Combine(_phase, _offset, _first, _end, _arguments);

    private bool Literal(ReadOnlySpan<byte> text, byte b, Phase next)
    {
        if (b != text[_offset])
        {
            return false;
        }

        if (++_offset == text.Length)
        {
            (_phase, _offset) = (next, 0);
        }

        return true;
    }

    /// <summary>The name's next byte narrows the range of names; its closing quote must end the shortest of them.</summary>
    private bool NameByte(byte b)
    {
        if (b == BeforeArgumentsText[0])
        {
            if (_names[_first].Length != _offset)
            {
                return false;
            }

            // The name is done: forgetting which it was makes the states after it one per position, not per name.
            (_phase, _offset, _first, _end) = (Phase.BeforeArguments, 1, 0, 0);
            return true;
        }

        (int first, int end) = SortedByteStrings.Narrow(_names, _first, _end, _offset, b);
        (_first, _end) = (first, end);
        _offset++;
        return first < end;
    }
}
