using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// REAL ENGINE, the trained embedded model: <c>logit_bias</c> on both endpoints. +100 on a token makes every position
/// that token; −100 keeps tokens out of the answer; a streamed answer is the same; more entries than
/// <c>Limits:MaxLogitBiasEntries</c> is a 400 naming the field.
/// </summary>
[Trait("Engine", "Real")]
public sealed class LogitBiasTests(EmbeddedModelFixture fixture) : IClassFixture<EmbeddedModelFixture>
{
    private const string Prompt = "And God said";

    [Fact]
    public async Task Completion_PlusHundred_EveryPositionIsThatToken()
    {
        int lord = SingleToken(" LORD");

        string text = await CompleteAsync(new JsonObject { [Id(lord)] = 100 });

        Assert.Equal(string.Concat(Enumerable.Repeat(" LORD", 8)), text);
    }

    [Fact]
    public async Task Completion_MinusHundred_KeepsTheTokensOutOfTheAnswer()
    {
        string unbiased = await CompleteAsync(null);
        int unto = SingleToken(" unto"), lord = SingleToken(" LORD");

        string banned = await CompleteAsync(new JsonObject { [Id(unto)] = -100, [Id(lord)] = -100.0 });

        Assert.Contains(" unto", unbiased, StringComparison.Ordinal);
        Assert.DoesNotContain(unto, fixture.Factory.Model.Tokenizer.Encode(banned));
        Assert.DoesNotContain(lord, fixture.Factory.Model.Tokenizer.Encode(banned));
    }

    [Fact]
    public async Task Completion_Streamed_SameTextAsNotStreamed()
    {
        var bias = new JsonObject { [Id(SingleToken(" unto"))] = -100, [Id(SingleToken(" the"))] = 5.5 };
        string whole = await CompleteAsync(bias.DeepClone().AsObject());

        JsonObject body = Body(bias);
        body["stream"] = true;
        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(body);
        string streamed = ServerSentEvents.CompletionText(await response.Content.ReadAsStringAsync());

        Assert.Equal(whole, streamed);
    }

    [Fact]
    public async Task Chat_PlusHundred_EveryPositionIsThatToken()
    {
        int lord = SingleToken(" LORD");
        var body = new JsonObject
        {
            ["model"] = EmbeddedModelFixture.ModelId,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Prompt }),
            ["max_tokens"] = 6,
            ["temperature"] = 0,
            ["logit_bias"] = new JsonObject { [Id(lord)] = 100 },
        };
        using HttpResponseMessage response = await fixture.Client.PostAsync("/v1/chat/completions", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        JsonObject answer = await response.ReadJsonObjectAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Concat(Enumerable.Repeat(" LORD", 6)), answer["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Completion_MoreEntriesThanTheLimit_Is400NamingLogitBias()
    {
        var bias = new JsonObject();
        for (int token = 0; token < 301; token++)
        {
            bias[Id(token)] = 1;
        }

        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(Body(bias));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "logit_bias");
        Assert.Contains("at most 300", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static string Id(int token) => token.ToString(CultureInfo.InvariantCulture);

    private int SingleToken(string text)
    {
        IReadOnlyList<int> ids = fixture.Factory.Model.Tokenizer.Encode(text);
        Assert.True(ids.Count == 1, $"'{text}' is {ids.Count} tokens in the embedded model's vocabulary");
        return ids[0];
    }

    /// <summary>Greedy, 8 tokens, run to the end (<c>ignore_eos</c>), with <paramref name="bias"/> as <c>logit_bias</c> when given.</summary>
    private static JsonObject Body(JsonObject? bias)
    {
        var body = new JsonObject { ["model"] = EmbeddedModelFixture.ModelId, ["prompt"] = Prompt, ["max_tokens"] = 8, ["temperature"] = 0, ["ignore_eos"] = true };
        if (bias is not null)
        {
            body["logit_bias"] = bias;
        }

        return body;
    }

    private async Task<string> CompleteAsync(JsonObject? bias)
    {
        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(Body(bias));
        JsonObject answer = await response.ReadJsonObjectAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, answer.ToJsonString());
        return answer["choices"]![0]!["text"]!.GetValue<string>();
    }
}
