using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// REAL ENGINE: the <c>kv_cache</c> extension field and the deployment's default and limit, on LLaDA
/// (<see cref="CompletionsApiKvCacheTests"/>) and on Dream, whose shifted logits need the row before each block
/// (<see cref="CompletionsApiDreamKvCacheTests"/>). Both deployments default to <c>dual</c> within 8 KiB of caches.
/// </summary>
public abstract class CompletionsApiKvCacheContractTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, IApiFixture
{
    private HttpClient Client => fixture.Client;

    [Theory]
    [InlineData("none")]
    [InlineData("prefix")]
    [InlineData("dual")]
    public async Task CreateCompletion_EachMode_AnswersWithTheTokensAsked(string mode)
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(Body(maxTokens: 8, mode));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonObject completion = await response.ReadJsonObjectAsync();
        Assert.Equal(8, OpenAIAssert.Usage(completion["usage"]).Completion);
    }

    [Fact]
    public async Task CreateCompletion_CacheOverTheLimit_BadRequestNamingKvCache()
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(Body(maxTokens: 64, "prefix"));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "kv_cache");
        Assert.Contains("8192", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateCompletion_NoKvCacheField_TakesTheDeploymentDefault()
    {
        // The configured default is dual, whose cache for 64 tokens does not fit either model's limit; "none" needs no cache.
        using HttpResponseMessage defaulted = await Client.PostCompletionAsync(Body(maxTokens: 64, mode: null));
        using HttpResponseMessage uncached = await Client.PostCompletionAsync(Body(maxTokens: 64, "none"));

        await OpenAIAssert.ErrorAsync(defaulted, HttpStatusCode.BadRequest, "BadRequestError", "kv_cache");
        Assert.Equal(HttpStatusCode.OK, uncached.StatusCode);
    }

    private static JsonObject Body(int maxTokens, string? mode)
    {
        var body = new JsonObject { ["model"] = TinyModelFolder.ModelId, ["prompt"] = "Paris", ["max_tokens"] = maxTokens, ["block_length"] = 4, ["temperature"] = 0 };
        if (mode is not null)
        {
            body["kv_cache"] = mode;
        }

        return body;
    }
}
