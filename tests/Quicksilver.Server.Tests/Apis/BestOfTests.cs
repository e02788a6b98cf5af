using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// REAL ENGINE, the trained embedded model: <c>best_of</c> generates that many candidates (candidate i with seed
/// <c>seed + i</c>, as <c>n</c>'s choices) and returns the <c>n</c> with the highest mean log-probability of the tokens
/// behind their text (none past the stop sequence), best first, billing every candidate.
/// </summary>
[Trait("Engine", "Real")]
public sealed class BestOfTests(EmbeddedModelFixture fixture) : IClassFixture<EmbeddedModelFixture>
{
    [Fact]
    public async Task Completion_BestOfFourNTwo_TheTwoCandidatesWithTheHighestMeanLogprob()
    {
        // The four candidates, as n = 4 returns them, with their token log-probabilities.
        JsonObject all = await CompleteAsync(Body(n: 4, bestOf: null, logprobs: 0));
        (string Text, double Mean)[] candidates = [.. all["choices"]!.AsArray().Select(c => (
            c!["text"]!.GetValue<string>(),
            c["logprobs"]!["token_logprobs"]!.AsArray().Select(lp => (double)lp!.GetValue<float>()).DefaultIfEmpty(double.NegativeInfinity).Average()))];
        Assert.True(candidates.Select(c => c.Mean).Distinct().Count() > 1, "the sampled candidates should differ");

        JsonObject best = await CompleteAsync(Body(n: 2, bestOf: 4, logprobs: null));

        string[] expected = [.. candidates.Select((c, i) => (c, i)).OrderByDescending(x => x.c.Mean).ThenBy(x => x.i).Take(2).Select(x => x.c.Text)];
        JsonArray choices = best["choices"]!.AsArray();
        Assert.Equal(expected, choices.Select(c => c!["text"]!.GetValue<string>()));
        Assert.Equal([0, 1], choices.Select(c => c!["index"]!.GetValue<int>()));
        Assert.All(choices, c => Assert.Null(c!["logprobs"]));
        Assert.Equal(all["usage"]!["completion_tokens"]!.GetValue<int>(), best["usage"]!["completion_tokens"]!.GetValue<int>()); // every candidate billed
    }

    [Fact]
    public async Task Completion_BestOfEqualToN_StreamsLikeN()
    {
        JsonObject body = Body(n: 2, bestOf: 2, logprobs: null);
        body["stream"] = true;

        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()));
        Assert.Equal([0, 1], chunks.Select(c => c["choices"]![0]!["index"]!.GetValue<int>()).Distinct().Order());
    }

    private static JsonObject Body(int n, int? bestOf, int? logprobs)
    {
        var body = new JsonObject
        {
            ["model"] = EmbeddedModelFixture.ModelId,
            ["prompt"] = "And God said",
            ["max_tokens"] = 12,
            ["temperature"] = 1,
            ["seed"] = 11,
            ["n"] = n,
            ["stop"] = ",",
        };
        if (bestOf is { } b)
        {
            body["best_of"] = b;
        }

        if (logprobs is { } l)
        {
            body["logprobs"] = l;
        }

        return body;
    }

    private async Task<JsonObject> CompleteAsync(JsonObject body)
    {
        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(body);
        JsonObject answer = await response.ReadJsonObjectAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, answer.ToJsonString());
        return answer;
    }
}
