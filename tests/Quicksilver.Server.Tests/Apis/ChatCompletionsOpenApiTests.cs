using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

[Trait("Engine", "TestModel")]
public sealed class ChatCompletionsOpenApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task OpenApiDocument_Served_DescribesChatCompletionsWithMessagesAndChunks()
    {
        using HttpResponseMessage response = await fixture.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonObject document = await response.ReadJsonObjectAsync();
        JsonObject post = document["paths"]!["/v1/chat/completions"]!["post"]!.AsObject();
        Assert.Equal("CreateChatCompletion", post["operationId"]!.GetValue<string>());
        foreach (string status in new[] { "400", "404", "413", "415", "429", "500", "503" })
        {
            Assert.NotNull(post["responses"]![status]);
        }

        JsonObject ok = post["responses"]!["200"]!["content"]!.AsObject();
        Assert.EndsWith("/ChatCompletion", ok["application/json"]!["schema"]!["$ref"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.EndsWith("/ChatCompletionChunk", ok["text/event-stream"]!["schema"]!["$ref"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.EndsWith("/ChatCompletionRequestDocument", post["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>(), StringComparison.Ordinal);

        JsonObject schemas = document["components"]!["schemas"]!.AsObject();
        JsonObject properties = schemas["ChatCompletionRequestDocument"]!["properties"]!.AsObject();
        foreach (string field in new[]
        {
            "model", "messages", "max_completion_tokens", "max_tokens", "temperature", "top_p", "n", "stream", "stream_options",
            "stop", "seed", "logprobs", "top_logprobs", "tools", "tool_choice", "parallel_tool_calls", "response_format", "user", "steps", "block_length", "remasking", "kv_cache", "kv_cache_refresh", "top_k", "alg_temp",
        })
        {
            Assert.Contains(field, properties.Select(p => p.Key));
        }

        JsonObject message = properties["messages"]!["items"]!.AsObject();
        Assert.Equal(["system", "developer", "user", "assistant", "tool"], message["properties"]!["role"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["id", "function"], message["properties"]!["tool_calls"]!["items"]!["required"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains("tool_call_id", message["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal("^[A-Za-z0-9_-]{1,64}$", properties["tools"]!["items"]!["properties"]!["function"]!["properties"]!["name"]!["pattern"]!.GetValue<string>());
        JsonObject answer = schemas["ChatCompletionMessage"]!["properties"]!.AsObject();
        Assert.Contains("tool_calls", answer.Select(p => p.Key));
        AssertAllowsNull(answer["content"]!);
        Assert.Equal(3, message["properties"]!["content"]!["oneOf"]!.AsArray().Count);
        Assert.Equal(3, properties["stop"]!["oneOf"]!.AsArray().Count);
        Assert.Contains("denoising steps", properties["steps"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("ChatCompletion", schemas.Select(p => p.Key));
        string chunk = schemas["ChatCompletionChunk"]!.ToJsonString() + schemas["ChatCompletionChunkChoice"]?.ToJsonString() + schemas["ChatCompletionDelta"]?.ToJsonString();
        Assert.Contains("\"delta\"", chunk, StringComparison.Ordinal);
        Assert.DoesNotContain("\"required\":[\"role\",\"content\"]", chunk, StringComparison.Ordinal); // a delta holds only what is new
        // Chunks carry usage: null (all but the usage chunk) and logprobs: null (role and closing chunks).
        JsonObject chunkProperties = schemas["ChatCompletionChunk"]!["properties"]!.AsObject();
        AssertAllowsNull(chunkProperties["usage"]!);
        AssertAllowsNull(chunkProperties["choices"]!["items"]!["properties"]!["logprobs"]!);
        AssertAllowsNull(chunkProperties["choices"]!["items"]!["properties"]!["finish_reason"]!);
        Assert.Contains("margin", properties["remasking"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("origin", properties["remasking"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("0 or -1 disable it", properties["top_k"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("softmax(confidence / alg_temp)", properties["alg_temp"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Dream's order", properties["top_p"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("threshold", properties.Select(p => p.Key));
    }

    private static void AssertAllowsNull(JsonNode schema)
    {
        bool allowsNull = schema["type"] is JsonArray types ? types.Any(t => (string?)t == "null")
            : schema["oneOf"] is JsonArray alternatives && alternatives.Any(a => (string?)a!["type"] == "null");
        Assert.True(allowsNull, $"null is not allowed by {schema.ToJsonString()}");
    }
}
