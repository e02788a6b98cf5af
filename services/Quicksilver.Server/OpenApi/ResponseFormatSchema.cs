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
        Description = "{\"type\": \"text\"} (default): free text. {\"type\": \"json_object\"}: the answer is one JSON object. " +
            "{\"type\": \"json_schema\", \"json_schema\": {\"name\", \"schema\"}}: the answer is one JSON object the schema allows " +
            "(properties in their order, required ones always, no undeclared keys; a schema keyword this server cannot enforce " +
            "is a 400 naming it). Either is written left to right with every token one that keeps the answer valid, ending " +
            $"where the object closes (finish_reason 'length' and the start of an object when {budgetField} runs out first).",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("text"), JsonValue.Create("json_object"), JsonValue.Create("json_schema")] },
            ["json_schema"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "With type json_schema: the schema the answer follows.",
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["name"] = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[A-Za-z0-9_-]{1,64}$" },
                    ["description"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["schema"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "A JSON Schema whose root is an object; absent: any object." },
                    ["strict"] = new OpenApiSchema { Type = JsonSchemaType.Boolean | JsonSchemaType.Null, Description = "Read and ignored: the schema is always enforced." },
                },
                Required = new HashSet<string> { "name" },
            },
        },
        Required = new HashSet<string> { "type" },
    };
}
