using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// REAL ENGINE, the trained embedded model: <c>suffix</c> fills in the middle. The answer attends to the suffix, the
/// suffix counts as input, streaming gives the same text, and a suffix that leaves no room is a 400 naming the field.
/// </summary>
[Trait("Engine", "Real")]
public sealed class SuffixTests(EmbeddedModelFixture fixture) : IClassFixture<EmbeddedModelFixture>
{
    private const string Prompt = "In the beginning God created the heaven";
    private const string Suffix = " and the earth.";

    [Fact]
    public async Task Completion_Suffix_ChangesTheMiddleAndCountsAsPromptTokens()
    {
        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(Body());
        JsonObject answer = await response.ReadJsonObjectAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, answer.ToJsonString());
        int expectedInput = fixture.Factory.Model.Tokenizer.Encode(Prompt).Count + fixture.Factory.Model.Tokenizer.Encode(Suffix).Count;
        Assert.Equal(expectedInput, answer["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.InRange(answer["usage"]!["completion_tokens"]!.GetValue<int>(), 0, 6);
        JsonObject plainBody = Body();
        plainBody.Remove("suffix");
        using HttpResponseMessage plain = await fixture.Client.PostCompletionAsync(plainBody);
        JsonObject plainAnswer = await plain.ReadJsonObjectAsync();

        // Greedy on the committed weights: " of the house of Israel," with the suffix, ", and the God of the" without.
        Assert.NotEqual(plainAnswer["choices"]![0]!["text"]!.GetValue<string>(), answer["choices"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(fixture.Factory.Model.Tokenizer.Encode(Prompt).Count, plainAnswer["usage"]!["prompt_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Completion_SuffixStreamed_SameTextAsNotStreamed()
    {
        using HttpResponseMessage whole = await fixture.Client.PostCompletionAsync(Body());
        string expected = (await whole.ReadJsonObjectAsync())["choices"]![0]!["text"]!.GetValue<string>();

        JsonObject body = Body();
        body["stream"] = true;
        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(body);
        string streamed = ServerSentEvents.CompletionText(await response.Content.ReadAsStringAsync());

        Assert.Equal(expected, streamed);
    }

    [Fact]
    public async Task Completion_SuffixFillingTheContext_Is400NamingSuffix()
    {
        JsonObject body = Body();
        body["suffix"] = string.Concat(Enumerable.Repeat(" the", fixture.Factory.Model.ContextLength));
        body.Remove("max_tokens");

        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(body);

        await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "suffix");
    }

    [Fact]
    public async Task Completion_SuffixLeavingTooLittleRoomForMaxTokens_Is400NamingMaxTokens()
    {
        JsonObject body = Body();
        body["suffix"] = string.Concat(Enumerable.Repeat(" the", fixture.Factory.Model.ContextLength - 20));
        body["max_tokens"] = 20;

        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(body);

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "max_tokens");
        Assert.Contains("in the suffix", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static JsonObject Body() => new()
    {
        ["model"] = EmbeddedModelFixture.ModelId,
        ["prompt"] = Prompt,
        ["suffix"] = Suffix,
        ["max_tokens"] = 6,
        ["temperature"] = 0,
    };
}
