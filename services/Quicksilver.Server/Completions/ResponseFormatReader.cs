using System.Text.Json;
using Quicksilver.Engine.Constraints.Json;
using Quicksilver.Server.Errors;
using static Quicksilver.Server.Completions.RequestFieldReader;

namespace Quicksilver.Server.Completions;

/// <summary>
/// OpenAI's <c>response_format</c> (vLLM's, on completions), as the grammar the answer must follow: none for
/// <c>text</c> (the default), any object for <c>json_object</c>, and for <c>json_schema</c> the objects its
/// <c>schema</c> allows (<see cref="JsonGrammar.FromSchema"/>; a schema part it cannot enforce is a 400 naming it,
/// <c>strict</c> or not: nothing is enforced halfway).
/// </summary>
internal static class ResponseFormatReader
{
    private const string Param = "response_format";

    public static JsonGrammar? Parse(JsonElement body)
    {
        if (!TryGetValue(body, Param, out JsonElement format))
        {
            return null;
        }

        if (format.ValueKind != JsonValueKind.Object)
        {
            throw TypeError(Param, "an object", format);
        }

        return RequiredString(format, "type", Param) switch
        {
            "text" => null,
            "json_object" => JsonGrammar.AnyObject,
            "json_schema" => Schema(RequiredObject(format, "json_schema", Param)),
            string type => throw ApiErrorException.BadRequest(
                $"Invalid value for '{Param}.type': expected 'text', 'json_object' or 'json_schema', but got '{type}' instead.", $"{Param}.type"),
        };
    }

    private static JsonGrammar Schema(JsonElement format)
    {
        const string path = Param + ".json_schema";
        string name = RequiredString(format, "name", path);
        if (!OpenAiName().IsMatch(name))
        {
            throw ApiErrorException.BadRequest($"Invalid '{path}.name': '{name}' must be 1 to 64 letters, digits, underscores or dashes.", $"{path}.name");
        }

        OptionalStringAt(format, "description", path);
        OptionalBoolean(format, "strict", $"{path}.strict");
        if (!TryGetValue(format, "schema", out JsonElement schema))
        {
            return JsonGrammar.AnyObject;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw TypeErrorAt($"{path}.schema", "a JSON Schema object", schema);
        }

        try
        {
            return JsonGrammar.FromSchema(schema);
        }
        catch (JsonSchemaNotSupportedException exception)
        {
            throw ApiErrorException.BadRequest($"Invalid schema for response_format '{name}': {exception.Message}", Param);
        }
    }
}
