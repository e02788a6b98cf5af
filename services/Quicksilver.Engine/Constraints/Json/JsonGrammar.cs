using System.Text.Json;

namespace Quicksilver.Engine.Constraints.Json;

/// <summary>
/// The JSON values an answer may be, compiled for <see cref="JsonCursor"/>: a graph of nodes (the root first), each
/// saying which kinds of value may start there and what they may hold. Built from a JSON Schema
/// (<see cref="FromSchema"/>, whose rules say what is enforced), or <see cref="AnyObject"/>. Immutable; one grammar
/// serves any number of requests.
/// </summary>
public sealed class JsonGrammar
{
    internal JsonGrammar(IReadOnlyList<JsonGrammarNode> nodes)
    {
        Nodes = [.. nodes];
    }

    /// <summary>Any JSON object (OpenAI's <c>json_object</c>): any keys, any values.</summary>
    public static JsonGrammar AnyObject { get; } = JsonSchemaCompiler.AnyObject();

    internal JsonGrammarNode[] Nodes { get; }

    /// <summary>
    /// The grammar of the answers <paramref name="schema"/> allows, as <see cref="JsonSchemaCompiler"/> reads it; a
    /// <see cref="JsonSchemaNotSupportedException"/> names the first part of the schema it cannot enforce.
    /// </summary>
    public static JsonGrammar FromSchema(JsonElement schema) => JsonSchemaCompiler.Compile(schema);
}

/// <summary>
/// One place in a <see cref="JsonGrammar"/>: the kinds of value that may start there. Kinds are told apart by the
/// value's first byte (<c>{</c>, <c>[</c>, <c>"</c>, a digit or <c>-</c>, or the first byte of a literal), which is what
/// lets the cursor know at once which kind it is reading.
/// </summary>
internal sealed class JsonGrammarNode
{
    public JsonObjectShape? Object { get; set; }

    public JsonArrayShape? Array { get; set; }

    public JsonStringShape? String { get; set; }

    public JsonNumberKind Number { get; set; }

    /// <summary>Whole values written exactly (true, false, null, and an enum's or const's values), sorted by their bytes.</summary>
    public byte[][] Literals { get; set; } = [];
}

/// <summary>
/// An object's keys: <see cref="Properties"/> in their order, each written at most once, a required one never
/// skipped; or, with none, any keys whose values are <see cref="Values"/>.
/// </summary>
internal sealed class JsonObjectShape
{
    /// <summary>The most properties one object may declare: a key's candidates are a 64-bit mask.</summary>
    public const int MaxProperties = 64;

    private readonly int[] _firstRequiredFrom;

    public JsonObjectShape(IReadOnlyList<JsonGrammarProperty> properties, int? values)
    {
        Properties = [.. properties];
        Values = values;
        _firstRequiredFrom = new int[Properties.Length + 1];
        _firstRequiredFrom[^1] = Properties.Length;
        for (int i = Properties.Length - 1; i >= 0; i--)
        {
            _firstRequiredFrom[i] = Properties[i].Required ? i : _firstRequiredFrom[i + 1];
        }
    }

    public JsonGrammarProperty[] Properties { get; }

    /// <summary>The node of every value of an object of open keys; null when only <see cref="Properties"/> may be written.</summary>
    public int? Values { get; }

    /// <summary>Whether the object may close once the properties before <paramref name="next"/> have had their turn.</summary>
    public bool MayClose(int next) => Values is not null || _firstRequiredFrom[next] == Properties.Length;

    /// <summary>Whether another key may come once the properties before <paramref name="next"/> have had their turn.</summary>
    public bool MayContinue(int next) => Values is not null || next < Properties.Length;

    /// <summary>The properties the next key may be: from <paramref name="next"/> up to the first required one, as a mask.</summary>
    public ulong Candidates(int next)
    {
        int last = Math.Min(_firstRequiredFrom[next], Properties.Length - 1);
        return last < next ? 0 : (ulong.MaxValue >> (63 - last)) & (ulong.MaxValue << next);
    }
}

/// <param name="Key">The key as the answer writes it: a JSON string, quotes included.</param>
/// <param name="Node">The node of its value.</param>
/// <param name="Required">Whether every object must write it.</param>
internal sealed record JsonGrammarProperty(byte[] Key, int Node, bool Required);

/// <param name="Items">The node of every item.</param>
/// <param name="MinItems">The fewest items.</param>
/// <param name="MaxItems">The most items (<see cref="int.MaxValue"/>: no limit).</param>
internal sealed record JsonArrayShape(int Items, int MinItems, int MaxItems)
{
    /// <summary>How far the cursor counts items: to the maximum when there is one, otherwise to the minimum.</summary>
    public int CountUpTo => MaxItems < int.MaxValue ? MaxItems : MinItems;
}

/// <summary>A string's length limits, in characters (a UTF-8 sequence or an escape each count one).</summary>
internal sealed record JsonStringShape(int MinLength, int MaxLength)
{
    /// <summary>How far the cursor counts: to the maximum when there is one, otherwise to the minimum (past it, length no longer matters).</summary>
    public int CountUpTo => MaxLength < int.MaxValue ? MaxLength : MinLength;
}

internal enum JsonNumberKind : byte
{
    None,
    Integer,
    Any,
}
