using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.OpenApi;

/// <summary>
/// Documents <c>POST /v1/chat/completions</c>: the request body (whose polymorphic fields, <c>messages</c> and
/// <c>stop</c> among them, the type generator can only describe as "any value") and the stream's chunk schema. The
/// handler reads the body itself, so the endpoint carries no <c>Accepts</c> metadata (see
/// <see cref="JsonRequestBody"/>).
/// </summary>
internal static class ChatCompletionRequestBody
{
    public static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        IOpenApiSchema request = await context.GetOrCreateSchemaAsync(typeof(ChatCompletionRequestDocument), null, cancellationToken);
        if (request is OpenApiSchema { Properties: { } properties })
        {
            DescribePolymorphicFields(properties);
        }

        IOpenApiSchema chunk = await context.GetOrCreateSchemaAsync(typeof(ChatCompletionChunk), null, cancellationToken);
        AllowNullObjects(chunk);
        if (context.Document is { } document)
        {
            request = Component(document, nameof(ChatCompletionRequestDocument), request);
            chunk = Component(document, nameof(ChatCompletionChunk), chunk);
        }

        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "The chat completion request: OpenAI's fields plus the diffusion extension fields.",
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = request } },
        };

        // The stream's events are chunks, not the whole chat completion.
        if (operation.Responses?.TryGetValue("200", out IOpenApiResponse? ok) == true
            && ok.Content?.TryGetValue("text/event-stream", out OpenApiMediaType? events) == true)
        {
            events.Schema = chunk;
        }
    }

    /// <summary>
    /// The chunk schema is built inline, where the generator drops the null its nullable object properties allow (the
    /// referenced response schemas keep it): every chunk but the usage chunk has <c>usage: null</c>, and a choice's
    /// role and closing chunks <c>logprobs: null</c>.
    /// </summary>
    private static void AllowNullObjects(IOpenApiSchema chunk)
    {
        if (chunk is OpenApiSchema { Properties: { } properties })
        {
            OrNull(properties, "usage");
            if (properties.TryGetValue("choices", out IOpenApiSchema? choices) && choices.Items is OpenApiSchema { Properties: { } choice })
            {
                OrNull(choice, "logprobs");
            }
        }
    }

    private static void OrNull(IDictionary<string, IOpenApiSchema> properties, string name)
    {
        if (properties.TryGetValue(name, out IOpenApiSchema? schema) && schema.OneOf is null && schema.Type is { } type && !type.HasFlag(JsonSchemaType.Null))
        {
            properties[name] = new OpenApiSchema { OneOf = [Of(JsonSchemaType.Null), schema] };
        }
    }

    private static OpenApiSchema Function(Dictionary<string, IOpenApiSchema> properties, params string[] required) => new()
    {
        Type = JsonSchemaType.Object,
        Properties = properties,
        Required = new HashSet<string>(required),
    };

    private static OpenApiSchemaReference Component(OpenApiDocument document, string id, IOpenApiSchema schema)
    {
        document.AddComponent(id, schema);
        return new OpenApiSchemaReference(id, document);
    }

    private static void DescribePolymorphicFields(IDictionary<string, IOpenApiSchema> properties)
    {
        var textPart = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Enum("text"),
                ["text"] = Of(JsonSchemaType.String),
            },
            Required = new HashSet<string> { "type", "text" },
        };
        var message = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "A message of the conversation. 'developer' is rendered as 'system'; a 'tool' message answers the call its tool_call_id names.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["role"] = Enum("system", "developer", "user", "assistant", "tool"),
                ["content"] = new OpenApiSchema
                {
                    Description = "The text, or an array of text parts (joined with newlines). Optional (absent or null) for assistant messages.",
                    OneOf = [Of(JsonSchemaType.String), new OpenApiSchema { Type = JsonSchemaType.Array, Items = textPart }, Of(JsonSchemaType.Null)],
                },
                ["name"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "The speaker's name, given to the chat template as message.name (as vLLM does)." },
                ["tool_calls"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array | JsonSchemaType.Null,
                    Description = "An assistant message's calls of tools, as an earlier answer gave them; the arguments (a JSON text, or an object; empty, null or absent: {}) are given to the template as an object.",
                    Items = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["id"] = Of(JsonSchemaType.String),
                            ["type"] = Enum("function"),
                            ["function"] = Function(new Dictionary<string, IOpenApiSchema> { ["name"] = Of(JsonSchemaType.String), ["arguments"] = Of(JsonSchemaType.String | JsonSchemaType.Object | JsonSchemaType.Null) }, "name"),
                        },
                        Required = new HashSet<string> { "id", "function" },
                    },
                },
                ["tool_call_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A tool message's: the id of the call it answers. Required for role 'tool'." },
            },
            Required = new HashSet<string> { "role" },
        };

        properties["messages"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            MinItems = 1,
            Items = message,
            Description =
                "The conversation, rendered with the model's chat template (tokenizer_config.json chat_template) and " +
                "followed by the opening of the assistant's turn.",
        };
        properties["stop"] = new OpenApiSchema
        {
            Description = "Up to 4 non-empty stop sequences. The answer ends before the first one found (not included) and finish_reason is stop.",
            OneOf = [Of(JsonSchemaType.String), new OpenApiSchema { Type = JsonSchemaType.Array, Items = Of(JsonSchemaType.String) }, Of(JsonSchemaType.Null)],
        };
        properties["tools"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Array | JsonSchemaType.Null,
            Description = "Functions the model may call, described to it by its chat template (models whose template describes tools in Hermes' <tool_call> syntax; others answer 400). Its calls come back as the message's tool_calls, finish_reason tool_calls.",
            Items = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["type"] = Enum("function"),
                    ["function"] = Function(
                        new Dictionary<string, IOpenApiSchema>
                        {
                            ["name"] = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[A-Za-z0-9_-]{1,64}$" },
                            ["description"] = Of(JsonSchemaType.String),
                            ["parameters"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "A JSON Schema of the arguments." },
                            ["strict"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "Accepted and not enforced: the arguments are not checked against the schema (a forced call's are a JSON object)." },
                        },
                        "name"),
                },
                Required = new HashSet<string> { "type", "function" },
            },
        };
        properties["tool_choice"] = new OpenApiSchema
        {
            Description = "auto (the default: the model decides), none (the tools are not shown to the model), required (the answer is one call of any " +
                "offered function) or {\"type\": \"function\", \"function\": {\"name\": …}} (one call of that function). A forced call is decoded " +
                "under a constraint: Hermes' <tool_call> syntax, an offered name and an object of arguments (not checked against the parameters' schema); one call, whatever parallel_tool_calls says.",
            OneOf =
            [
                Enum("none", "auto", "required"),
                new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["type"] = Enum("function"),
                        ["function"] = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Properties = new Dictionary<string, IOpenApiSchema> { ["name"] = Of(JsonSchemaType.String) },
                            Required = new HashSet<string> { "name" },
                        },
                    },
                    Required = new HashSet<string> { "type", "function" },
                },
                Of(JsonSchemaType.Null),
            ],
        };
        if (properties.TryGetValue("remasking", out IOpenApiSchema? remasking) && remasking is OpenApiSchema { Description: null } values)
        {
            values.Description =
                "Diffusion extension: the confidence that ranks masked positions each step: low_confidence (default), " +
                "random, margin (top-1 minus top-2 probability) or entropy; or origin (Dream's default: each masked " +
                "position revealed independently with probability 1 - s/t of the timestep schedule, all that remain on a " +
                "block's last step).";
        }

        properties["response_format"] = ResponseFormatSchema.Create("max_completion_tokens");
    }

    private static OpenApiSchema Of(JsonSchemaType type) => new() { Type = type };

    private static OpenApiSchema Enum(params string[] values) =>
        new() { Type = JsonSchemaType.String, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))] };
}
