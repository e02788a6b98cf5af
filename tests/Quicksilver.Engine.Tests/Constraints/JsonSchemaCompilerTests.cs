using System.Text.Json;
using Quicksilver.Engine.Constraints;
using Quicksilver.Engine.Constraints.Json;

namespace Quicksilver.Engine.Tests.Constraints;

/// <summary>
/// What <see cref="JsonGrammar.FromSchema"/> refuses, by name and place: every assertion it would not enforce, and the
/// schemas it cannot tell apart byte by byte; and the schemas the common generators write (Pydantic's, with
/// <c>$defs</c>, titles and <c>Optional</c> fields; OpenAI's strict ones) compile.
/// </summary>
public sealed class JsonSchemaCompilerTests
{
    [Theory]
    [InlineData("""{"type": "object", "properties": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}}}""", "'pattern' is not enforced", "#/properties/zip")]
    [InlineData("""{"type": "object", "properties": {"age": {"type": "integer", "minimum": 0}}}""", "'minimum' is not enforced", "#/properties/age")]
    [InlineData("""{"type": "object", "properties": {"a/b": {"type": "array", "uniqueItems": true}}}""", "'uniqueItems' is not enforced", "#/properties/a~1b")]
    [InlineData("""{"type": "array"}""", "must be a JSON object", "#")]
    [InlineData("""{"type": ["object", "null"]}""", "must be a JSON object", "#")]
    [InlineData("""{"type": "object", "properties": {"x": {"anyOf": [{"type": "object"}, {"type": "object", "properties": {"a": {}}}]}}}""", "both allow objects", "#/properties/x")]
    [InlineData("""{"type": "object", "properties": {"x": {"anyOf": [{"type": "string"}, {"enum": ["a", 1]}]}}}""", "allowed both as itself", "#/properties/x")]
    [InlineData("""{"type": "object", "properties": {"x": {"$ref": "https://example.com/s.json"}}}""", "only references inside the schema", "#/properties/x")]
    [InlineData("""{"type": "object", "properties": {"x": {"$ref": "#/$defs/Missing"}}}""", "names nothing", "#/properties/x")]
    [InlineData("""{"type": "object", "properties": {"x": {"$ref": "#/$defs/A"}}, "$defs": {"A": {"$ref": "#/$defs/A"}}}""", "refers to itself", "#/$defs/A")]
    [InlineData("""{"type": "object", "properties": {"a": {}}, "additionalProperties": true}""", "'additionalProperties' other than false", "#")]
    [InlineData("""{"type": "object", "properties": {"a": {}}, "required": ["b"]}""", "'required' names 'b'", "#")]
    [InlineData("""{"type": "object", "properties": {"a": {"type": "string", "enum": [1, 2]}}}""", "No value of 'enum'", "#/properties/a")]
    [InlineData("""{"type": "object", "properties": {"a": {"type": "string", "minLength": 3, "maxLength": 2}}}""", "'minLength' is more than 'maxLength'", "#/properties/a")]
    [InlineData("""{"type": "object", "properties": {"a": {"type": "date"}}}""", "'type' \"date\"", "#/properties/a")]
    [InlineData("""{"type": "object", "properties": {"a": false}}""", "allows no value", "#/properties/a")]
    [InlineData("""{"type": "object", "properties": {"a": {"allOf": [{}, {}]}}}""", "'allOf' of more than one", "#/properties/a")]
    [InlineData("""{"type": "object", "properties": {"a": {"$ref": "#/$defs/B", "type": "string"}}, "$defs": {"B": {}}}""", "with annotations beside it only", "#/properties/a")]
    public void UnenforceableSchema_IsRefusedNamingTheKeywordAndWhere(string schema, string reason, string path)
    {
        using JsonDocument document = JsonDocument.Parse(schema);

        var refusal = Assert.Throws<JsonSchemaNotSupportedException>(() => JsonGrammar.FromSchema(document.RootElement));

        Assert.Contains(reason, refusal.Message, StringComparison.Ordinal);
        Assert.Equal(path, refusal.Path);
    }

    [Fact]
    public void PydanticStyleSchema_Compiles_AndItsAnswersFollowIt()
    {
        // What Pydantic 2 writes for: class Step(BaseModel): explanation: str; output: str
        // class Math(BaseModel): steps: list[Step]; final_answer: str; unit: Optional[Literal["m", "s"]] = None
        const string schema = """
            {"$defs": {"Step": {"properties": {"explanation": {"title": "Explanation", "type": "string"},
                                               "output": {"title": "Output", "type": "string"}},
                                "required": ["explanation", "output"], "title": "Step", "type": "object", "additionalProperties": false}},
             "properties": {"steps": {"items": {"$ref": "#/$defs/Step"}, "title": "Steps", "type": "array"},
                            "final_answer": {"title": "Final Answer", "type": "string"},
                            "unit": {"anyOf": [{"enum": ["m", "s"], "type": "string"}, {"type": "null"}], "default": null, "title": "Unit"}},
             "required": ["steps", "final_answer"], "title": "Math", "type": "object", "additionalProperties": false}
            """;
        using JsonDocument document = JsonDocument.Parse(schema);
        var cursor = new JsonCursor(JsonGrammar.FromSchema(document.RootElement));

        Assert.True(cursor.Step("""{"steps": [{"explanation": "8x = -23", "output": "x = -23/8"}], "final_answer": "-2.875", "unit": null}"""u8));
        Assert.True(cursor.IsComplete);
    }
}
