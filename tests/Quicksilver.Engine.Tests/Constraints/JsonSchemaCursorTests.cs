using System.Text;
using System.Text.Json;
using Json.Schema;
using Quicksilver.Engine.Constraints;
using Quicksilver.Engine.Constraints.Json;

namespace Quicksilver.Engine.Tests.Constraints;

/// <summary>
/// <see cref="JsonCursor"/> over grammars compiled from JSON Schemas, with JsonSchema.Net (an independent validator) as
/// the oracle: every object a random walk through the cursor completes is valid against its schema, and no walk is
/// ever left without a byte to write; valid answers are accepted whole, and an invalid one is refused at the first byte
/// that makes it so.
/// </summary>
public sealed class JsonSchemaCursorTests
{
    private const string Person = """
        {"type": "object", "additionalProperties": false, "required": ["name", "age", "role", "tags"], "properties": {
          "name": {"type": "string", "minLength": 1, "maxLength": 6},
          "age": {"type": "integer"},
          "role": {"enum": ["admin", "user", null, 3]},
          "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}, "minItems": 1, "maxItems": 3},
          "score": {"type": ["number", "null"]},
          "ok": {"type": "boolean", "description": "an annotation"}}}
        """;

    private const string Tree = """
        {"$defs": {"Node": {"type": "object", "required": ["value", "children"], "properties": {
            "value": {"type": "integer"},
            "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}, "maxItems": 2}}}},
         "type": "object", "required": ["root"], "properties": {
            "root": {"$ref": "#/$defs/Node"},
            "note": {"anyOf": [{"type": "string", "maxLength": 4}, {"type": "null"}], "default": null}}}
        """;

    private const string Open = """
        {"type": "object", "required": ["counts", "extra", "kind"], "properties": {
          "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
          "extra": {},
          "kind": {"const": {"k": [1, "z"]}}}}
        """;

    private const string Prefixes = """
        {"type": "object", "required": ["b"], "properties": {
          "a": {"type": "integer"}, "ab": {"type": "boolean"}, "b": {"type": "string", "maxLength": 2}}}
        """;

    // What the walks write: every byte these schemas' keys and literals need, and JSON's punctuation (no escapes:
    // a random \u escape can be a lone surrogate, which the validator cannot read; the free-JSON tests cover escapes).
    private static readonly byte[] Alphabet = Encoding.ASCII.GetBytes("{}[]:,\" \nabcdefghiklmnorstuvxz0123456789-+.E");

    public static TheoryData<string> Schemas => [Person, Tree, Open, Prefixes];

    [Theory]
    [MemberData(nameof(Schemas))]
    public void RandomWalks_NeverStall_AndEveryObjectTheyCompleteIsValidAgainstTheSchema(string schemaText)
    {
        JsonGrammar grammar = Grammar(schemaText);
        JsonSchema oracle = JsonSchema.FromText(schemaText);
        var random = new Random(11);
        int complete = 0;
        for (int walk = 0; walk < 300; walk++)
        {
            var cursor = new JsonCursor(grammar);
            var text = new List<byte>();
            while (!cursor.IsComplete && text.Count < 2_000)
            {
                JsonCursor before = cursor;
                byte[] accepted = [.. Alphabet.Where(b =>
                {
                    JsonCursor probe = before;
                    return probe.Step(b);
                })];
                Assert.True(accepted.Length > 0, $"stalled after {Encoding.UTF8.GetString([.. text])}");

                // Past a few hundred bytes, close what is open: strings, containers, then the shortest values.
                byte next = text.Count > 300 && accepted.FirstOrDefault(b => "\"}]0n".Contains((char)b, StringComparison.Ordinal)) is var closer and not 0
                    ? closer
                    : accepted[random.Next(accepted.Length)];
                Assert.True(cursor.Step(next));
                text.Add(next);
            }

            if (cursor.IsComplete)
            {
                complete++;
                string json = Encoding.UTF8.GetString([.. text]);
                using JsonDocument document = JsonDocument.Parse(json);
                Assert.True(oracle.Evaluate(document.RootElement).IsValid, $"invalid against the schema: {json}");
            }
        }

        Assert.True(complete >= 250, $"only {complete} of 300 walks completed");
    }

    [Theory]
    [InlineData(Person, """{"name":"Ann","age":30,"role":"admin","tags":["x"]}""")]
    [InlineData(Person, """{ "name" : "Bøb", "age": -1, "role": null, "tags": ["a", "b", "c"], "score": 1.5e3, "ok": true }""")]
    [InlineData(Person, """{"name":"A","age":0,"role":3,"tags":[""],"score":null}""")]
    [InlineData(Tree, """{"root":{"value":1,"children":[{"value":2,"children":[]},{"value":3,"children":[{"value":4,"children":[]}]}]},"note":"abcd"}""")]
    [InlineData(Tree, """{"root":{"value":1,"children":[]},"note":null}""")]
    [InlineData(Open, """{"counts":{"a":1,"b":2,"z z":-3},"extra":[{"x":[null]},"s"],"kind":{"k":[1,"z"]}}""")]
    [InlineData(Open, """{"counts":{},"extra":true,"kind":{"k":[1,"z"]}}""")]
    [InlineData(Prefixes, """{"b":""}""")]
    [InlineData(Prefixes, """{"a":1,"ab":false,"b":"xy"}""")]
    [InlineData(Prefixes, """{"ab":true,"b":"x"}""")]
    public void ValidAnswer_IsAcceptedAndCompleteOnlyAtItsLastByte(string schemaText, string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        Assert.True(JsonSchema.FromText(schemaText).Evaluate(document.RootElement).IsValid, "the case itself must be valid");
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        var cursor = new JsonCursor(Grammar(schemaText));

        Assert.True(cursor.Step(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.False(cursor.IsComplete);
        Assert.True(cursor.Step(bytes[^1]));
        Assert.True(cursor.IsComplete);
    }

    [Theory]
    [InlineData(Person, "{\"", 'a')] // name is required first
    [InlineData(Person, "{\"name\":\"", '"')] // minLength 1
    [InlineData(Person, "{\"name\":\"abcdef", 'g')] // maxLength 6
    [InlineData(Person, "{\"name\":\"A\",\"age\":1", '.')] // an integer
    [InlineData(Person, "{\"name\":\"A\",\"age\":1,\"role\":\"", 'g')] // not in the enum
    [InlineData(Person, "{\"name\":\"A\",\"age\":1,\"role\":3", '0')] // 30 is not 3
    [InlineData(Person, "{\"name\":\"A\",\"age\":1,\"role\":", 't')] // nor is true
    [InlineData(Person, "{\"name\":\"A\",\"age\":1,\"role\":\"user\"", '}')] // tags is required
    [InlineData(Person, "{\"name\":\"A\",\"age\":1,\"role\":\"user\",\"tags\":[", ']')] // minItems 1
    [InlineData(Person, "{\"name\":\"A\",\"age\":1,\"role\":\"user\",\"tags\":[\"a\",\"b\",\"c\"", ',')] // maxItems 3
    [InlineData(Person, "{\"name\":\"A\",\"age\":1,\"role\":\"user\",\"tags\":[\"a\"],\"", 'n')] // each key once
    [InlineData(Person, "{\"name\":\"A\",\"age\":1,\"role\":\"user\",\"tags\":[\"a\"],\"ok\":true", ',')] // score may not come after ok
    [InlineData(Person, "{\"name\":\"A\",\"age\":1,\"role\":\"user\",\"tags\":[\"a\"],\"", 'x')] // no other keys
    [InlineData(Person, "{\"name\":\"A\",\"age\":1,\"role\":\"user\",\"tags\":[\"a\"],\"score\":", '"')] // a number or null
    [InlineData(Tree, "{\"root\":{\"value\":1,\"children\":[{\"value\":1,\"children\":[]},{\"value\":1,\"children\":[]}", ',')]
    [InlineData(Tree, "{\"root\":{\"value\":1,\"children\":[]},\"note\":", 't')]
    [InlineData(Tree, "", ' ')] // no whitespace before the object
    [InlineData(Tree, "{ ", '\n')] // and one byte of it at a time inside
    [InlineData(Open, "{\"counts\":{\"a\":", '"')] // values are integers
    [InlineData(Open, "{\"counts\":{},\"extra\":1,\"kind\":{\"k\":[1,", '2')] // the const
    [InlineData(Open, "{\"counts\":{},\"extra\":1,\"kind\":{\"k\":[1,\"z\"]}", ',')]
    [InlineData(Prefixes, "{\"a\":1,\"ab\":true", '}')] // b is required
    [InlineData(Prefixes, "{\"ab\":true,\"", 'a')] // a comes before ab, not after it
    public void InvalidAnswer_IsRefusedAtItsFirstImpossibleByte(string schemaText, string prefix, char refused)
    {
        var cursor = new JsonCursor(Grammar(schemaText));

        Assert.True(cursor.Step(Encoding.UTF8.GetBytes(prefix)));
        Assert.False(cursor.Step((byte)refused));
    }

    [Fact]
    public void EqualPositionsInTheSameGrammar_AreEqualCursors_AndGrammarsAreToldApart()
    {
        JsonGrammar grammar = Grammar(Person);
        var first = new JsonCursor(grammar);
        var second = new JsonCursor(grammar);
        Assert.True(first.Step("{\"name\":\"Ann\",\"age\":12"u8));
        Assert.True(second.Step("{\"name\":\"Bea\",\"age\":34"u8));
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());

        var other = new JsonCursor(Grammar(Person));
        Assert.True(other.Step("{\"name\":\"Ann\",\"age\":12"u8));
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void SchemaConstraint_BansTheTokensTheSchemaRefuses()
    {
        byte[][] texts = [.. new[] { "{", "}", "{\"", "name", "\":\"", "Ann", "\",\"", "age", "\":", "12", ".5", "x", "\"" }.Select(Encoding.UTF8.GetBytes)];
        ITokenConstraintState state = TokenConstraints.Json(new TokenTexts(texts), Grammar(Person)).Start();

        Assert.Equal([1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], state.Banned().Order());
        foreach (int token in new[] { 2, 3, 4, 5, 6, 7, 8, 9 })
        {
            Assert.True(state.TryAppend(token));
        }

        Assert.Contains(10, state.Banned());
        Assert.False(state.TryAppend(10));
    }

    private static JsonGrammar Grammar(string schemaText)
    {
        using JsonDocument schema = JsonDocument.Parse(schemaText);
        return JsonGrammar.FromSchema(schema.RootElement);
    }
}
