using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// FAKE ENGINE: every generation answer announces its prompt tokens in <c>X-Quicksilver-Prompt-Tokens</c>, the number
/// its usage counts, so that the gateway can debit a stream the client leaves before the usage chunk.
/// </summary>
[Trait("Engine", "Fake")]
public sealed class PromptTokensHeaderTests
{
    [Theory]
    [InlineData("/v1/completions", false)]
    [InlineData("/v1/completions", true)]
    [InlineData("/v1/chat/completions", false)]
    [InlineData("/v1/chat/completions", true)]
    public async Task Answer_AnnouncesThePromptTokensItsUsageCounts(string path, bool stream)
    {
        await using var factory = new QuicksilverApiFactory(FakeChatModel.Create());
        using HttpClient client = await factory.CreateReadyClientAsync();
        JsonObject body = path == "/v1/completions"
            ? new JsonObject { ["prompt"] = "Say hi", ["suffix"] = " bye", ["max_tokens"] = 8 }
            : new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Say hi" }), ["max_tokens"] = 8 };
        body["stream"] = stream;
        body["stream_options"] = stream ? new JsonObject { ["include_usage"] = true } : null;

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        using HttpResponseMessage response = await client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        JsonNode usage = stream
            ? JsonNode.Parse(ServerSentEvents.ParseStrict(text).Where(data => data != "[DONE]").Last())!["usage"]!
            : JsonNode.Parse(text)!["usage"]!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        int announced = int.Parse(Assert.Single(response.Headers.GetValues("X-Quicksilver-Prompt-Tokens")), CultureInfo.InvariantCulture);
        Assert.Equal((int)usage["prompt_tokens"]!, announced);
        Assert.True(announced > 6, "the prompt (and, for completions, the suffix) counts");
    }
}
