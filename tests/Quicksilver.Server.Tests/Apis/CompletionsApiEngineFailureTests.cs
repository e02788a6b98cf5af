using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>FAKE ENGINE: an engine that rejects a request (400) or breaks (500, or an error event mid-stream).</summary>
[Trait("Engine", "Fake")]
public sealed class CompletionsApiEngineFailureTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateCompletion_EngineRejectsTheRequest_Returns400WithItsMessage(bool stream)
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(FakeServedModel.Engine(rejectWith: "block_length too large for this model")));
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.PostCompletionAsync(Body(stream));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "block_length");
        Assert.Equal("block_length too large for this model", error["message"]!.GetValue<string>());
        Assert.Empty(factory.Logs.UnhandledExceptions);
    }

    [Fact]
    public async Task CreateCompletion_EngineThrows_Returns500InOpenAIShapeAndLogsIt()
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(FakeServedModel.Engine(failAfterBlocks: 1)));
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.PostCompletionAsync(Body(stream: false));

        await OpenAIAssert.ErrorAsync(response, HttpStatusCode.InternalServerError, "InternalServerError", null);
        Assert.Contains(factory.Logs.UnhandledExceptions, e => e.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task CreateCompletion_EngineThrowsMidStream_SendsErrorEventThenDone()
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(FakeServedModel.Engine(failAfterBlocks: 1)));
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.PostCompletionAsync(Body(stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyList<JsonObject> events = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()));
        Assert.Equal(2, events.Count);
        Assert.Equal((FakeGenerationEngine.DefaultAnswer[..7], (string?)null), OpenAIAssert.Choice(events[0]["choices"]![0]));
        Assert.Equal(["error"], events[1].Select(p => p.Key));
        Assert.Equal("InternalServerError", events[1]["error"]!["type"]!.GetValue<string>());
        Assert.Contains(factory.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Exception is InvalidOperationException);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateCompletion_EngineCannotAdmitEveryChoice_Returns429AndRunsNone(bool stream)
    {
        FakeGenerationEngine engine = new(FakeServedModel.Tokenizer) { AdmitsAtMost = 2 };
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(engine));
        using HttpClient client = await factory.CreateReadyClientAsync();
        JsonObject body = Body(stream);
        body["n"] = 3;

        using HttpResponseMessage response = await client.PostCompletionAsync(body).WaitAsync(TimeSpan.FromSeconds(20));

        await OpenAIAssert.ErrorAsync(response, HttpStatusCode.TooManyRequests, "RateLimitError", null);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Empty(engine.Requests);
        body["n"] = 2;
        using HttpResponseMessage admitted = await client.PostCompletionAsync(body).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.Equal(2, engine.Requests.Count);
    }

    private static JsonObject Body(bool stream) => new()
    {
        ["model"] = FakeServedModel.Id,
        ["prompt"] = "Say hello",
        ["max_tokens"] = 64,
        ["stream"] = stream,
    };
}
