using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>FAKE ENGINE: a chat request the engine rejects (400) or breaks on (500, or an error event mid-stream).</summary>
[Trait("Engine", "Fake")]
public sealed class ChatCompletionsApiEngineFailureTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateChatCompletion_EngineRejectsTheRequest_Returns400WithItsMessage(bool stream)
    {
        await using var factory = new QuicksilverApiFactory(FakeChatModel.Create(FakeServedModel.Engine(rejectWith: "block_length too large for this model")));
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.PostChatCompletionAsync(Body(stream));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "block_length");
        Assert.Equal("block_length too large for this model", error["message"]!.GetValue<string>());
        Assert.Empty(factory.Logs.UnhandledExceptions);
    }

    [Fact]
    public async Task CreateChatCompletion_EngineThrowsMidStream_SendsErrorEventThenDone()
    {
        await using var factory = new QuicksilverApiFactory(FakeChatModel.Create(FakeServedModel.Engine(failAfterBlocks: 1)));
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.PostChatCompletionAsync(Body(stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyList<JsonObject> events = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()));
        Assert.Equal(3, events.Count);
        Assert.Equal("""{"role":"assistant","content":""}""", ChatAssert.ChunkChoice(events[0]["choices"]![0]).Delta.ToJsonString());
        Assert.Equal(FakeGenerationEngine.DefaultAnswer[..7], ChatAssert.ChunkChoice(events[1]["choices"]![0]).Delta["content"]!.GetValue<string>());
        Assert.Equal(["error"], events[2].Select(p => p.Key));
        Assert.Equal("InternalServerError", events[2]["error"]!["type"]!.GetValue<string>());
        Assert.Contains(factory.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Exception is InvalidOperationException);
    }

    private static JsonObject Body(bool stream) => new()
    {
        ["model"] = FakeServedModel.Id,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Say hello" }),
        ["max_completion_tokens"] = 64,
        ["stream"] = stream,
    };
}
