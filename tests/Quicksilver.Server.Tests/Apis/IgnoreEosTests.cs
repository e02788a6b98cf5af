using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// REAL ENGINE, the trained embedded model: <c>ignore_eos</c> (vLLM's extension) lets an answer that the model ends
/// at once run to <c>max_tokens</c>, on both endpoints; a non-boolean is a 400 naming the field.
/// </summary>
[Trait("Engine", "Real")]
public sealed class IgnoreEosTests(EmbeddedModelFixture fixture) : IClassFixture<EmbeddedModelFixture>
{
    // The trained model answers this prompt with EOS straight away (its model card's samples).
    private const string EndsAtOnce = "The LORD is my shepherd;";

    [Fact]
    public async Task Completion_IgnoreEos_RunsToMaxTokensWhereTheModelWouldStop()
    {
        JsonObject natural = await CompleteAsync(ignoreEos: null);
        JsonObject ignored = await CompleteAsync(ignoreEos: true);

        Assert.Equal("stop", OpenAIAssert.Choice(natural["choices"]![0]).FinishReason);
        Assert.True(natural["usage"]!["completion_tokens"]!.GetValue<int>() < 16);
        Assert.Equal("length", OpenAIAssert.Choice(ignored["choices"]![0]).FinishReason);
        Assert.Equal(16, ignored["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Chat_IgnoreEos_RunsToMaxTokens()
    {
        var body = new JsonObject
        {
            ["model"] = EmbeddedModelFixture.ModelId,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = EndsAtOnce }),
            ["max_tokens"] = 8,
            ["temperature"] = 0,
            ["ignore_eos"] = true,
        };
        using HttpResponseMessage response = await fixture.Client.PostAsync("/v1/chat/completions", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        JsonObject answer = await response.ReadJsonObjectAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("length", answer["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(8, answer["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("\"yes\"")]
    [InlineData("1")]
    public async Task Completion_IgnoreEosNotABoolean_Is400(string value)
    {
        string body = $$"""{"model": "{{EmbeddedModelFixture.ModelId}}", "prompt": "x", "max_tokens": 4, "ignore_eos": {{value}}}""";
        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(body);

        await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "ignore_eos");
    }

    private async Task<JsonObject> CompleteAsync(bool? ignoreEos)
    {
        var body = new JsonObject { ["model"] = EmbeddedModelFixture.ModelId, ["prompt"] = EndsAtOnce, ["max_tokens"] = 16, ["temperature"] = 0 };
        if (ignoreEos is { } value)
        {
            body["ignore_eos"] = value;
        }

        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonObjectAsync();
    }
}
