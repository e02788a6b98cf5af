using System.Text.Json.Nodes;

namespace Quicksilver.Gateway.Apis;

/// <summary>
/// Turns a pod's OpenAPI document into the gateway's: the paths the gateway serves to clients (the pod's <c>/load</c>
/// and <c>/metrics</c> are not among them), no <c>servers</c> (the gateway's own address is the base), and the API key:
/// a bearer scheme that every <c>/v1</c> and tokenizer operation requires, with the 401 it answers without one.
/// </summary>
internal static class GatewayOpenApiDocument
{
    public const string SecurityScheme = "apiKey";

    private static readonly string[] PodOnlyPaths = ["/load", "/metrics"];

    public static JsonObject FromPod(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Remove("servers");
        if (document["info"] is JsonObject info)
        {
            info["title"] = "Quicksilver gateway";
            info["description"] = $"{(string?)info["description"]} Served through the Quicksilver gateway: every /v1 and tokenizer " +
                "request needs 'Authorization: Bearer <API key>' (401 AuthenticationError without a valid one); a tenant over " +
                "its requests or tokens per minute gets 429 RateLimitError with Retry-After and x-ratelimit-* headers.";
        }

        JsonObject components = document["components"] as JsonObject ?? [];
        document["components"] = components;
        JsonObject schemes = components["securitySchemes"] as JsonObject ?? [];
        components["securitySchemes"] = schemes;
        schemes[SecurityScheme] = new JsonObject
        {
            ["type"] = "http",
            ["scheme"] = "bearer",
            ["description"] = "A tenant's API key.",
        };

        if (document["paths"] is JsonObject paths)
        {
            foreach (string path in PodOnlyPaths)
            {
                paths.Remove(path);
            }

            foreach ((string path, JsonNode? item) in paths)
            {
                if (NeedsKey(path) && item is JsonObject operations)
                {
                    foreach ((_, JsonNode? operation) in operations)
                    {
                        RequireKey(operation as JsonObject, components);
                    }
                }
            }
        }

        return document;
    }

    private static bool NeedsKey(string path) =>
        path.StartsWith("/v1/", StringComparison.Ordinal) || path is "/tokenize" or "/detokenize";

    private static void RequireKey(JsonObject? operation, JsonObject components)
    {
        if (operation is null)
        {
            return;
        }

        operation["security"] = new JsonArray(new JsonObject { [SecurityScheme] = new JsonArray() });
        JsonObject responses = operation["responses"] as JsonObject ?? [];
        operation["responses"] = responses;
        if (!responses.ContainsKey("401"))
        {
            var unauthorized = new JsonObject { ["description"] = "Missing or invalid API key (AuthenticationError)." };
            if (components["schemas"] is JsonObject schemas && schemas.ContainsKey("ErrorResponse"))
            {
                unauthorized["content"] = new JsonObject
                {
                    ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/ErrorResponse" } },
                };
            }

            responses["401"] = unauthorized;
        }
    }
}
