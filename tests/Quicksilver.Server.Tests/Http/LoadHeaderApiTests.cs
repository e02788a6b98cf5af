using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Http.Tests;

/// <summary>
/// FAKE ENGINE: every response of the generation endpoints, answers and errors, streamed or not, carries the engine's
/// load as <c>X-Quicksilver-Load: waiting=…, running=…, tokens=…</c> for the gateway.
/// </summary>
[Trait("Engine", "Fake")]
public sealed class LoadHeaderApiTests
{
    private const string LoadHeader = "X-Quicksilver-Load";

    [Fact]
    public async Task GenerationEndpoints_AnswersAndErrors_CarryTheLoadHeader()
    {
        await using var factory = new QuicksilverApiFactory(FakeChatModel.Create(), new Dictionary<string, string?> { ["Quicksilver:Tenancy:GatewayKey"] = "key" });
        using HttpClient client = await factory.CreateReadyClientAsync();
        using HttpClient spoofing = factory.CreateGatewayClient("wrong", "acme");
        var chat = new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }) };

        using HttpResponseMessage completion = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello" });
        using HttpResponseMessage stream = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello", ["stream"] = true });
        using HttpResponseMessage chatCompletion = await client.PostChatCompletionAsync(chat);
        using HttpResponseMessage badRequest = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello", ["max_tokens"] = -1 });
        using HttpResponseMessage unauthorized = await spoofing.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello" });

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized],
            new[] { completion, stream, chatCompletion, badRequest, unauthorized }.Select(r => r.StatusCode));
        foreach (HttpResponseMessage response in new[] { completion, stream, chatCompletion, badRequest, unauthorized })
        {
            Assert.Matches("^waiting=[0-9]+, running=[0-9]+, tokens=[0-9]+$", Assert.Single(response.Headers.GetValues(LoadHeader)));
        }
    }

    [Fact]
    public async Task Completion_WhileAnotherStreamRuns_TheLoadHeaderCountsIt()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine(pauseAfterBlocks: 1);
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(engine));
        using HttpClient client = await factory.CreateReadyClientAsync();
        await using HeldOpenCompletion running = await HeldOpenCompletion.StartAsync(client, new JsonObject { ["prompt"] = "Say hello", ["max_tokens"] = 64, ["stream"] = true });

        // Refused before it reaches the engine, it still reports the load: the paused stream.
        using HttpResponseMessage rejected = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello", ["max_tokens"] = 0 });
        engine.Gate.SetResult();

        Assert.Equal("waiting=0, running=1, tokens=0", Assert.Single(running.Response.Headers.GetValues(LoadHeader)));
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Equal("waiting=0, running=1, tokens=0", Assert.Single(rejected.Headers.GetValues(LoadHeader)));
    }
}
