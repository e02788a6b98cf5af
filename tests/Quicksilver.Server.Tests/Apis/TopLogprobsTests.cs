using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// REAL ENGINE, the trained embedded model: the most likely tokens at each answer position (completions
/// <c>logprobs: N</c>, chat <c>top_logprobs: N</c>). Greedy, each position's first alternative is the chosen token with
/// its own log-probability; the alternatives are ordered; streaming lists the same; listing them leaves the answer as it
/// was.
/// </summary>
[Trait("Engine", "Real")]
public sealed class TopLogprobsTests(EmbeddedModelFixture fixture) : IClassFixture<EmbeddedModelFixture>
{
    [Fact]
    public async Task Completion_LogprobsFive_GreedyTokenFirstAmongItsOrderedAlternatives()
    {
        JsonObject logprobs = (await PostAsync("/v1/completions", CompletionBody(stream: false)))["choices"]![0]!["logprobs"]!.AsObject();

        string[] tokens = [.. logprobs["tokens"]!.AsArray().Select(t => t!.GetValue<string>())];
        float[] chosen = [.. logprobs["token_logprobs"]!.AsArray().Select(t => t!.GetValue<float>())];
        JsonObject[] tops = [.. logprobs["top_logprobs"]!.AsArray().Select(t => t!.AsObject())];
        Assert.Equal(tokens.Length, tops.Length);
        Assert.NotEmpty(tokens);
        for (int i = 0; i < tokens.Length; i++)
        {
            KeyValuePair<string, JsonNode?>[] listed = [.. tops[i]];
            Assert.InRange(listed.Length, 2, 5); // five tokens, fewer only where two decode alike
            Assert.Equal((tokens[i], chosen[i]), (listed[0].Key, listed[0].Value!.GetValue<float>()));
            float[] values = [.. listed.Select(p => p.Value!.GetValue<float>())];
            Assert.Equal(values.OrderDescending(), values);
            Assert.All(values, v => Assert.True(v <= 0f));
        }
    }

    [Fact]
    public async Task Completion_LogprobsStreamed_SameAlternativesAsNotStreamed()
    {
        JsonNode whole = (await PostAsync("/v1/completions", CompletionBody(stream: false)))["choices"]![0]!["logprobs"]!["top_logprobs"]!;

        using HttpResponseMessage response = await fixture.Client.PostCompletionAsync(CompletionBody(stream: true));
        JsonNode?[] streamed = [.. OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()))
            .SelectMany(chunk => chunk["choices"]![0]!["logprobs"]!["top_logprobs"]!.AsArray())];

        Assert.Equal(whole.AsArray().Select(t => t!.ToJsonString()), streamed.Select(t => t!.ToJsonString()));
    }

    [Fact]
    public async Task Completion_LogprobsWhileSampling_EachObjectHoldsTheSampledToken()
    {
        JsonObject body = CompletionBody(stream: false);
        body["temperature"] = 1.5;
        body["seed"] = 3;
        body["logprobs"] = 2;

        JsonObject logprobs = (await PostAsync("/v1/completions", body))["choices"]![0]!["logprobs"]!.AsObject();

        string[] tokens = [.. logprobs["tokens"]!.AsArray().Select(t => t!.GetValue<string>())];
        float[] chosen = [.. logprobs["token_logprobs"]!.AsArray().Select(t => t!.GetValue<float>())];
        JsonObject[] tops = [.. logprobs["top_logprobs"]!.AsArray().Select(t => t!.AsObject())];
        for (int i = 0; i < tokens.Length; i++)
        {
            Assert.InRange(tops[i].Count, 1, 3); // the two most likely, and the sampled token when it is neither
            Assert.True(tops[i][tokens[i]]!.GetValue<float>() >= chosen[i]); // its own value, or a likelier token's that decodes alike
        }

        Assert.Contains(tops, top => top.Count == 3); // at this temperature some token was sampled from further down
    }

    [Fact]
    public async Task Chat_TopLogprobsTwenty_EveryEntryListsTwentyWithTheirBytes()
    {
        JsonArray content = (await PostAsync("/v1/chat/completions", ChatBody(topLogprobs: 20, temperature: 0)))["choices"]![0]!["logprobs"]!["content"]!.AsArray();

        Assert.NotEmpty(content);
        Assert.All(content, entry =>
        {
            JsonArray top = entry!["top_logprobs"]!.AsArray();
            Assert.Equal(20, top.Count);
            Assert.Equal(entry["token"]!.ToJsonString(), top[0]!["token"]!.ToJsonString());
            Assert.Equal(entry["logprob"]!.GetValue<float>(), top[0]!["logprob"]!.GetValue<float>());
            float[] values = [.. top.Select(t => t!["logprob"]!.GetValue<float>())];
            Assert.Equal(values.OrderDescending(), values);
            Assert.All(top, t => Assert.Equal(
                Encoding.UTF8.GetBytes(t!["token"]!.GetValue<string>()).Select(b => (int)b),
                t["bytes"]!.AsArray().Select(b => b!.GetValue<int>())));
        });
    }

    [Fact]
    public async Task Chat_TopLogprobsWhileSampling_SameAnswerAndAChosenTokenListedWithItsOwnLogprob()
    {
        JsonObject listing = await PostAsync("/v1/chat/completions", ChatBody(topLogprobs: 5, temperature: 1));
        JsonObject plain = await PostAsync("/v1/chat/completions", ChatBody(topLogprobs: 0, temperature: 1));

        Assert.Equal(plain["choices"]![0]!["message"]!.ToJsonString(), listing["choices"]![0]!["message"]!.ToJsonString());
        JsonArray content = listing["choices"]![0]!["logprobs"]!["content"]!.AsArray();
        Assert.All(content, entry =>
        {
            JsonArray top = entry!["top_logprobs"]!.AsArray();
            Assert.Equal(5, top.Count);
            Assert.True(top[0]!["logprob"]!.GetValue<float>() >= entry["logprob"]!.GetValue<float>());
            Assert.All(
                top.Where(t => t!["token"]!.GetValue<string>() == entry["token"]!.GetValue<string>()),
                t => Assert.Equal(entry["logprob"]!.GetValue<float>(), t!["logprob"]!.GetValue<float>()));
        });
    }

    private static JsonObject CompletionBody(bool stream) => new()
    {
        ["model"] = EmbeddedModelFixture.ModelId,
        ["prompt"] = "And God said",
        ["max_tokens"] = 12,
        ["temperature"] = 0,
        ["logprobs"] = 5,
        ["stream"] = stream,
    };

    private static JsonObject ChatBody(int topLogprobs, double temperature) => new()
    {
        ["model"] = EmbeddedModelFixture.ModelId,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "And God said" }),
        ["max_tokens"] = 12,
        ["temperature"] = temperature,
        ["seed"] = 7,
        ["logprobs"] = true,
        ["top_logprobs"] = topLogprobs,
    };

    private async Task<JsonObject> PostAsync(string path, JsonObject body)
    {
        using HttpResponseMessage response = await fixture.Client.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        JsonObject answer = await response.ReadJsonObjectAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, answer.ToJsonString());
        return answer;
    }
}
