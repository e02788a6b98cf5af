using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Quicksilver.Server.OpenApi;

/// <summary>The <c>response_format</c> field both generation endpoints read (OpenAI's on chat, vLLM's on completions).</summary>
internal static class ResponseFormatSchema
{
    /// <param name="budgetField">The field that bounds the answer's tokens on the endpoint.</param>
    public static OpenApiSchema Create(string budgetField) => new()
    {
        Type = JsonSchemaType.Object | JsonSchemaType.Null,
        Description = "{\"type\": \"text\"} (default): free text. {\"type\": \"json_object\"}: the answer is one JSON object, " +
            "written left to right with every token one that keeps it valid JSON, ending where the object closes " +
            $"(finish_reason 'length' and the start of an object when {budgetField} runs out first). json_schema is not supported.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("text"), JsonValue.Create("json_object")] },
        },
        Required = new HashSet<string> { "type" },
    };
}
