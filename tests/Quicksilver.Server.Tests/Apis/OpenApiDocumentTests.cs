using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

[Trait("Engine", "TestModel")]
public sealed class OpenApiDocumentTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task OpenApiDocument_Served_DescribesCompletionsWithDiffusionFields()
    {
        using HttpResponseMessage response = await fixture.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonObject document = await response.ReadJsonObjectAsync();
        JsonObject paths = document["paths"]!.AsObject();
        Assert.Contains("/v1/models", paths.Select(p => p.Key));
        Assert.NotNull(paths["/v1/models"]!["get"]!["responses"]!["401"]); // a pod that requires the gateway refuses others
        Assert.NotNull(paths["/v1/models/{model}"]!["get"]!["responses"]!["401"]);
        JsonObject post = paths["/v1/completions"]!["post"]!.AsObject();
        JsonObject ok = post["responses"]!["200"]!["content"]!.AsObject();
        Assert.Contains("application/json", ok.Select(p => p.Key));
        Assert.Contains("text/event-stream", ok.Select(p => p.Key));
        foreach (string status in new[] { "400", "401", "404", "413", "415", "500", "503" })
        {
            Assert.NotNull(post["responses"]![status]);
        }

        JsonObject schemas = document["components"]!["schemas"]!.AsObject();
        JsonObject request = schemas["CompletionRequestDocument"]!.AsObject();
        JsonObject properties = request["properties"]!.AsObject();
        foreach (string field in new[] { "model", "prompt", "max_tokens", "temperature", "stream", "stream_options", "stop", "seed", "steps", "block_length", "remasking", "kv_cache", "kv_cache_refresh" })
        {
            Assert.Contains(field, properties.Select(p => p.Key));
        }

        Assert.Equal(4, properties["prompt"]!["oneOf"]!.AsArray().Count);
        Assert.Contains("denoising steps", properties["steps"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        string remasking = properties["remasking"]!.ToJsonString() + schemas["RemaskingName"]?.ToJsonString();
        Assert.Contains("low_confidence", remasking, StringComparison.Ordinal);
        Assert.Contains("random", remasking, StringComparison.Ordinal);
        Assert.Contains("origin", remasking, StringComparison.Ordinal);
        Assert.Contains("1 - s/t", properties["remasking"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("ErrorResponse", schemas.Select(p => p.Key));
        Assert.Contains("Completion", schemas.Select(p => p.Key));
        Assert.Contains("X-Quicksilver-Load", post["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocument_Served_DescribesTokenizeAndDetokenize()
    {
        using HttpResponseMessage response = await fixture.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        JsonObject document = await response.ReadJsonObjectAsync();
        JsonObject schemas = document["components"]!["schemas"]!.AsObject();
        foreach ((string path, string request, string answer) in new[] { ("/tokenize", "TokenizeRequestDocument", "TokenizeResponse"), ("/detokenize", "DetokenizeRequestDocument", "DetokenizeResponse") })
        {
            JsonObject post = document["paths"]![path]!["post"]!.AsObject();
            Assert.EndsWith(request, (string?)post["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"], StringComparison.Ordinal);
            Assert.EndsWith(answer, (string?)post["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"], StringComparison.Ordinal);
            Assert.NotNull(post["responses"]!["400"]);
        }

        Assert.Equal(["count", "max_model_len", "tokens", "token_strs"], schemas["TokenizeResponse"]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.Contains("messages", schemas["TokenizeRequestDocument"]!["properties"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task OpenApiDocument_Served_DescribesUsageWithGpuSecondsAndCost()
    {
        using HttpResponseMessage response = await fixture.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        JsonObject usage = (await response.ReadJsonObjectAsync())["components"]!["schemas"]!["CompletionUsage"]!.AsObject();
        JsonObject properties = usage["properties"]!.AsObject();
        Assert.Equal(["prompt_tokens", "completion_tokens", "total_tokens", "gpu_seconds", "cost_usd", "denoising_steps"], properties.Select(p => p.Key));
        Assert.Contains("Forward passes", properties["denoising_steps"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Device seconds", properties["gpu_seconds"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("GpuHourPriceUsd", properties["cost_usd"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
