using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// REAL ENGINE, the trained embedded model, which repeats itself (" unto him, and said, and unto the LORD, and the
/// LORD."): <c>presence_penalty</c> and <c>frequency_penalty</c> change what it repeats. Positive values raise the share
/// of distinct tokens in its answer, a negative one lowers it; both endpoints take them.
/// </summary>
[Trait("Engine", "Real")]
public sealed class PenaltyTests(EmbeddedModelFixture fixture) : IClassFixture<EmbeddedModelFixture>
{
    [Theory]
    [InlineData("presence_penalty")]
    [InlineData("frequency_penalty")]
    public async Task Completion_PositivePenalty_MoreDistinctTokens(string penalty)
    {
        double plain = DistinctShare(await CompleteAsync(null, 0));

        Assert.True(DistinctShare(await CompleteAsync(penalty, 2)) > plain);
    }

    [Fact]
    public async Task Completion_NegativePresencePenalty_FewerDistinctTokens()
    {
        double plain = DistinctShare(await CompleteAsync(null, 0));

        Assert.True(DistinctShare(await CompleteAsync("presence_penalty", -2)) < plain);
    }

    [Fact]
    public async Task Chat_Penalty_ChangesTheAnswer()
    {
        async Task<string> ChatAsync(double presence)
        {
            var body = new JsonObject
            {
                ["model"] = EmbeddedModelFixture.ModelId,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "And God said" }),
                ["max_tokens"] = 24,
                ["temperature"] = 0,
                ["ignore_eos"] = true,
                ["presence_penalty"] = presence,
            };
            using HttpResponseMessage response = await fixture.Client.PostAsync("/v1/chat/completions", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.ReadJsonObjectAsync())["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        }

        Assert.NotEqual(await ChatAsync(0), await ChatAsync(2));
    }

    /// <summary>Distinct tokens over all tokens of the answer's text (end tokens, which decode to nothing, left out).</summary>
    private double DistinctShare(string text)
    {
        IReadOnlyList<int> tokens = fixture.Factory.Model.Tokenizer.Encode(text);
        return (double)tokens.Distinct().Count() / tokens.Count;
    }

    /// <summary>Greedy, 24 tokens run to the end, with <paramref name="penalty"/> set to <paramref name="value"/> when named.</summary>
    private async Task<string> CompleteAsync(string? penalty, double value)
    {
        var body = new JsonObject { ["model"] = EmbeddedModelFixture.ModelId, ["prompt"] = "And God said", ["max_tokens"] = 24, ["temperature"] = 0, ["ignore_eos"] = true };
        if (penalty is not null)
        {
            body[penalty] = value;
        }

        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonObjectAsync())["choices"]![0]!["text"]!.GetValue<string>();
    }
}
