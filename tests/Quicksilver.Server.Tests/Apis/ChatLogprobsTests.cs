using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// REAL ENGINE, the trained embedded model: chat <c>logprobs: true</c>. Each answer token comes with its
/// log-probability, its UTF-8 bytes and no alternatives; the tokens spell the message; a stream carries the same
/// tokens over its chunks; without <c>logprobs</c> the field is null.
/// </summary>
[Trait("Engine", "Real")]
public sealed class ChatLogprobsTests(EmbeddedModelFixture fixture) : IClassFixture<EmbeddedModelFixture>
{
    [Fact]
    public async Task Chat_Logprobs_OneEntryPerTokenSpellingTheMessage()
    {
        JsonObject choice = (await ChatAsync(Body(logprobs: true)))["choices"]![0]!.AsObject();
        JsonArray content = choice["logprobs"]!["content"]!.AsArray();
        string message = choice["message"]!["content"]!.GetValue<string>();

        Assert.NotEmpty(content);
        Assert.Equal(message, string.Concat(content.Select(t => t!["token"]!.GetValue<string>())));
        Assert.Null(choice["logprobs"]!["refusal"]);
        Assert.All(content, entry =>
        {
            string token = entry!["token"]!.GetValue<string>();
            Assert.InRange(entry["logprob"]!.GetValue<float>(), float.MinValue, 0f);
            Assert.Equal(Encoding.UTF8.GetBytes(token).Select(b => (int)b), entry["bytes"]!.AsArray().Select(b => b!.GetValue<int>()));
            Assert.Empty(entry["top_logprobs"]!.AsArray());
        });
    }

    [Fact]
    public async Task Chat_LogprobsStreamed_SameTokensAsNotStreamed()
    {
        JsonArray whole = (await ChatAsync(Body(logprobs: true)))["choices"]![0]!["logprobs"]!["content"]!.AsArray();

        JsonObject body = Body(logprobs: true);
        body["stream"] = true;
        using HttpResponseMessage response = await fixture.Client.PostAsync("/v1/chat/completions", Json(body));
        JsonObject[] chunks = [.. ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()).Select(data => JsonNode.Parse(data)!.AsObject())];
        JsonNode?[] streamed = [.. chunks.Skip(1).SelectMany(chunk => chunk["choices"]![0]!["logprobs"]!["content"]!.AsArray())];

        Assert.Null(chunks[0]["choices"]![0]!["logprobs"]); // the role chunk
        Assert.Equal(whole.Select(t => t!.ToJsonString()), streamed.Select(t => t!.ToJsonString()));
    }

    [Fact]
    public async Task Chat_WithoutLogprobs_LogprobsIsNull()
    {
        JsonObject answer = await ChatAsync(Body(logprobs: false));

        Assert.True(answer["choices"]![0]!.AsObject().ContainsKey("logprobs"));
        Assert.Null(answer["choices"]![0]!["logprobs"]);
    }

    private static JsonObject Body(bool logprobs) => new()
    {
        ["model"] = EmbeddedModelFixture.ModelId,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "And God said" }),
        ["max_tokens"] = 12,
        ["temperature"] = 0,
        ["logprobs"] = logprobs,
        ["top_logprobs"] = 0,
    };

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private async Task<JsonObject> ChatAsync(JsonObject body)
    {
        using HttpResponseMessage response = await fixture.Client.PostAsync("/v1/chat/completions", Json(body));
        JsonObject answer = await response.ReadJsonObjectAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, answer.ToJsonString());
        return answer;
    }
}
