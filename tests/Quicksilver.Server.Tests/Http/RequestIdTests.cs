using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Http.Tests;

/// <summary>
/// FAKE ENGINE: every response carries <c>X-Request-Id</c>, as OpenAI's API does: the caller's usable id echoed, else
/// a fresh <c>req_</c> + 32 hex digits; answers, streams, errors and probes alike.
/// </summary>
[Trait("Engine", "Fake")]
public sealed class RequestIdTests
{
    private const string Header = "X-Request-Id";

    [Fact]
    public async Task EveryResponse_WithoutAnIdSent_CarriesAFreshOne()
    {
        await using var factory = new QuicksilverApiFactory(FakeChatModel.Create());
        using HttpClient client = await factory.CreateReadyClientAsync();
        var chat = new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }) };

        using HttpResponseMessage completion = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello" });
        using HttpResponseMessage stream = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello", ["stream"] = true });
        using HttpResponseMessage chatCompletion = await client.PostChatCompletionAsync(chat);
        using HttpResponseMessage badRequest = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello", ["max_tokens"] = -1 });
        using HttpResponseMessage notFound = await client.GetAsync(new Uri("/v1/nothing-here", UriKind.Relative));
        using HttpResponseMessage ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        HttpResponseMessage[] responses = [completion, stream, chatCompletion, badRequest, notFound, ready];
        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.OK],
            responses.Select(r => r.StatusCode));
        string[] ids = [.. responses.Select(r => Assert.Single(r.Headers.GetValues(Header)))];
        Assert.All(ids, id => Assert.Matches("^req_[0-9a-f]{32}$", id));
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Theory]
    [InlineData("abc-123")]
    [InlineData("req_0123456789abcdef0123456789abcdef")]
    [InlineData("2f1c9c3e-7f2b-4f0e-9b1a-8d7e6c5b4a39")]
    [InlineData("trace:span/1+2=3.x_y")]
    public async Task Response_IdSent_EchoesIt(string id)
    {
        await using var factory = new QuicksilverApiFactory(FakeChatModel.Create());
        using HttpClient client = await factory.CreateReadyClientAsync();
        client.DefaultRequestHeaders.Add(Header, id);

        using HttpResponseMessage answer = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello" });
        using HttpResponseMessage error = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello", ["n"] = 0 });

        Assert.Equal(id, Assert.Single(answer.Headers.GetValues(Header)));
        Assert.Equal(id, Assert.Single(error.Headers.GetValues(Header)));
    }

    [Fact]
    public async Task LogRecordsOfTheRequest_CarryItsId()
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(FakeServedModel.Engine(failAfterBlocks: 1)));
        using HttpClient client = await factory.CreateReadyClientAsync();
        client.DefaultRequestHeaders.Add(Header, "trace-me-1");

        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello", ["max_tokens"] = 64 });

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        CapturingLoggerProvider.LogEntry failure = Assert.Single(factory.Logs.UnhandledExceptions);
        Assert.Equal("trace-me-1", failure.Scope["XRequestId"]);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    public async Task Response_UnusableIdSent_GetsAFreshOne(string id)
    {
        await using var factory = new QuicksilverApiFactory(FakeChatModel.Create());
        using HttpClient client = await factory.CreateReadyClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/models", UriKind.Relative));
        request.Headers.TryAddWithoutValidation(Header, id);
        using var tooLong = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/models", UriKind.Relative));
        tooLong.Headers.Add(Header, new string('a', 129));

        using HttpResponseMessage response = await client.SendAsync(request);
        using HttpResponseMessage longResponse = await client.SendAsync(tooLong);

        Assert.Matches("^req_[0-9a-f]{32}$", Assert.Single(response.Headers.GetValues(Header)));
        Assert.Matches("^req_[0-9a-f]{32}$", Assert.Single(longResponse.Headers.GetValues(Header)));
    }
}
