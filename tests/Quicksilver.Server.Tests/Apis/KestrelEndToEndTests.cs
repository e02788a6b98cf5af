using System.ClientModel;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Models;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// FAKE ENGINE: the server on a real Kestrel loopback port, called over a real socket: SSE flushing, client
/// disconnects, Kestrel's body limit, and the official OpenAI SDK.
/// </summary>
[Trait("Engine", "Fake")]
public sealed class KestrelEndToEndTests
{
    [Fact]
    public async Task Stream_OverRealSocket_FirstBlockArrivesBeforeTheAnswerIsDone()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine(pauseAfterBlocks: 1);
        await using var server = await StartAsync(engine);
        using var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };

        using HttpResponseMessage response = await SendStreamAsync(client);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        await using IAsyncEnumerator<SseItem<string>> events = SseParser.Create(body).EnumerateAsync().GetAsyncEnumerator();

        // The engine is paused after its first block: that block must already be on the wire.
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(FakeGenerationEngine.DefaultAnswer[..7], JsonNode.Parse(events.Current.Data)!["choices"]![0]!["text"]!.GetValue<string>());
        Assert.False(engine.Gate.Task.IsCompleted);
        engine.Gate.SetResult();
        var rest = new List<string>();
        while (await events.MoveNextAsync())
        {
            rest.Add(events.Current.Data);
        }

        Assert.Equal("[DONE]", rest[^1]);
        string text = FakeGenerationEngine.DefaultAnswer[..7] + string.Concat(rest.SkipLast(1).Select(d => JsonNode.Parse(d)!["choices"]![0]!["text"]!.GetValue<string>()));
        Assert.Equal(FakeGenerationEngine.DefaultAnswer, text);
    }

    [Fact]
    public async Task Stream_ClientDisconnects_CancelsTheGeneration()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine(pauseAfterBlocks: 1);
        await using var server = await StartAsync(engine);
        using var handler = new SocketsHttpHandler { MaxResponseDrainSize = 0 };
        using var client = new HttpClient(handler) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };

        using (HttpResponseMessage response = await SendStreamAsync(client))
        {
            await using Stream body = await response.Content.ReadAsStreamAsync();
            await using IAsyncEnumerator<SseItem<string>> events = SseParser.Create(body).EnumerateAsync().GetAsyncEnumerator();
            Assert.True(await events.MoveNextAsync());
        }

        // The engine never gets the gate: only the request's abort can end its wait.
        await engine.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task CreateCompletion_BodyOverKestrelLimit_Returns413InOpenAIShape()
    {
        await using var server = await StartAsync(FakeServedModel.Engine(), maxRequestBodyBytes: 2048);
        using var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        string json = $"{{\"prompt\": \"{new string('a', 3000)}\"}}";

        // Expect: 100-continue keeps the client from sending a body the server refuses unread (no reset race).
        using var sizedRequest = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/completions", UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        sizedRequest.Headers.ExpectContinue = true;
        using HttpResponseMessage sized = await client.SendAsync(sizedRequest);
        using var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        chunked.Headers.ContentType = new("application/json");
        using HttpResponseMessage streamed = await client.PostAsync(new Uri("/v1/completions", UriKind.Relative), chunked);

        await OpenAIAssert.ErrorAsync(sized, HttpStatusCode.RequestEntityTooLarge, "RequestTooLargeError", null);
        await OpenAIAssert.ErrorAsync(streamed, HttpStatusCode.RequestEntityTooLarge, "RequestTooLargeError", null);
        Assert.Empty(server.Factory.Logs.UnhandledExceptions);
    }

    [Fact]
    public async Task OpenAISdk_ListsModels_OverRealSocket()
    {
        await using var server = await StartAsync(FakeServedModel.Engine());
        var models = new OpenAIModelClient(
            new ApiKeyCredential("not-checked"),
            new OpenAIClientOptions { Endpoint = new Uri(server.Address, "/v1") });

        ClientResult<OpenAIModelCollection> result = await models.GetModelsAsync();

        OpenAIModel model = Assert.Single(result.Value);
        Assert.Equal(FakeServedModel.Id, model.Id);
        Assert.Equal("quicksilver", model.OwnedBy);
        Assert.Equal(FakeServedModel.Created, model.CreatedAt);
    }

    private static Task<HttpResponseMessage> SendStreamAsync(HttpClient client)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/completions", UriKind.Relative))
        {
            Content = new StringContent(
                new JsonObject { ["model"] = FakeServedModel.Id, ["prompt"] = "Say hello", ["max_tokens"] = 64, ["stream"] = true }.ToJsonString(),
                Encoding.UTF8,
                "application/json"),
        };
        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static Task<KestrelTestServer> StartAsync(FakeGenerationEngine engine, long? maxRequestBodyBytes = null)
    {
        var settings = new Dictionary<string, string?>();
        if (maxRequestBodyBytes is { } limit)
        {
            settings["Quicksilver:Limits:MaxRequestBodyBytes"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return KestrelTestServer.StartAsync(new QuicksilverApiFactory(FakeServedModel.Create(engine), settings));
    }
}
