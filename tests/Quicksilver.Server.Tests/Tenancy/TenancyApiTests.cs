using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Tenancy.Tests;

/// <summary>
/// FAKE ENGINE: tenant trust. Only a request carrying the gateway's key may name a tenant (anyone else sending
/// <c>X-Quicksilver-Tenant</c> is refused: no billing another tenant), only the gateway may ask for a stream's usage by
/// header, and with <c>RequireGateway</c> nothing but the gateway is served.
/// </summary>
[Trait("Engine", "Fake")]
public sealed class TenancyApiTests
{
    private const string Key = "gateway-secret-for-tests";

    private static readonly JsonObject Completion = new() { ["prompt"] = "Say hello", ["max_tokens"] = 16 };

    [Fact]
    public async Task Completion_TenantHeaderButNoGatewayKeyConfigured_Returns401InvalidGatewayKey()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine();
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(engine));
        using HttpClient client = await ReadyGatewayClientAsync(factory, key: "anything", tenant: "acme");

        using HttpResponseMessage response = await client.PostCompletionAsync(Completion);

        await OpenAIAssert.AuthenticationErrorAsync(response, "invalid_gateway_key");
        Assert.Empty(engine.Requests);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    [InlineData(Key + "x")]
    [InlineData("gateway-secret-for-test")]
    public async Task Completion_TenantHeaderWithoutTheRightGatewayKey_Returns401InvalidGatewayKey(string? key)
    {
        FakeGenerationEngine engine = FakeServedModel.Engine();
        await using var factory = GatewayFactory(FakeServedModel.Create(engine));
        using HttpClient client = await ReadyGatewayClientAsync(factory, key, tenant: "acme");

        using HttpResponseMessage response = await client.PostCompletionAsync(Completion);

        await OpenAIAssert.AuthenticationErrorAsync(response, "invalid_gateway_key");
        Assert.Empty(engine.Requests);
    }

    [Fact]
    public async Task ChatCompletion_TenantHeaderWithAWrongGatewayKey_Returns401InvalidGatewayKey()
    {
        await using var factory = GatewayFactory(FakeChatModel.Create());
        using HttpClient client = await ReadyGatewayClientAsync(factory, key: "wrong-key", tenant: "acme");

        using HttpResponseMessage response = await client.PostChatCompletionAsync(new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
        });

        await OpenAIAssert.AuthenticationErrorAsync(response, "invalid_gateway_key");
    }

    [Fact]
    public async Task Completion_TenantHeaderWithTheGatewayKey_IsBilledToThatTenant()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine();
        await using var factory = GatewayFactory(FakeServedModel.Create(engine));
        using HttpClient client = await ReadyGatewayClientAsync(factory, Key, tenant: "acme.prod_1-eu");

        using HttpResponseMessage response = await client.PostCompletionAsync(Completion);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("acme.prod_1-eu", engine.LastRequest.Tenant);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Key)]
    public async Task Completion_NoTenantHeader_IsBilledToAnonymous(string? key)
    {
        FakeGenerationEngine engine = FakeServedModel.Engine();
        await using var factory = GatewayFactory(FakeServedModel.Create(engine));
        using HttpClient client = await ReadyGatewayClientAsync(factory, key, tenant: null);

        using HttpResponseMessage response = await client.PostCompletionAsync(Completion);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("anonymous", engine.LastRequest.Tenant);
    }

    [Theory]
    [InlineData("acme corp")]
    [InlineData("acme/prod")]
    [InlineData("acme,other")]
    [InlineData("tenant-with-a-name-that-is-longer-than-sixty-four-characters-in-all")]
    public async Task Completion_MalformedTenantFromTheGateway_Returns400(string tenant)
    {
        FakeGenerationEngine engine = FakeServedModel.Engine();
        await using var factory = GatewayFactory(FakeServedModel.Create(engine));
        using HttpClient client = await ReadyGatewayClientAsync(factory, Key, tenant);

        using HttpResponseMessage response = await client.PostCompletionAsync(Completion);

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", null);
        Assert.Contains("X-Quicksilver-Tenant", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(engine.Requests);
    }

    [Theory]
    [InlineData("POST", "/v1/completions")]
    [InlineData("POST", "/v1/chat/completions")]
    [InlineData("GET", "/v1/models")]
    public async Task RequireGateway_RequestWithoutTheGatewayKey_Returns401GatewayRequired(string method, string path)
    {
        await using var factory = GatewayFactory(FakeChatModel.Create(), requireGateway: true);
        using HttpClient client = await ReadyGatewayClientAsync(factory, key: null, tenant: null);
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative))
        {
            Content = method == "POST" ? new StringContent("{}", System.Text.Encoding.UTF8, "application/json") : null,
        };

        using HttpResponseMessage response = await client.SendAsync(request);

        await OpenAIAssert.AuthenticationErrorAsync(response, "gateway_required");
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/health")]
    [InlineData("/load")]
    [InlineData("/metrics")]
    public async Task RequireGateway_OperationsEndpoints_StayOpen(string path)
    {
        await using var factory = GatewayFactory(FakeServedModel.Create(), requireGateway: true);
        using HttpClient client = await ReadyGatewayClientAsync(factory, key: null, tenant: null);

        using HttpResponseMessage response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RequireGateway_RequestFromTheGateway_IsServed()
    {
        await using var factory = GatewayFactory(FakeServedModel.Create(), requireGateway: true);
        using HttpClient client = await ReadyGatewayClientAsync(factory, Key, tenant: "acme");

        using HttpResponseMessage response = await client.PostCompletionAsync(Completion);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(Key, true)]
    [InlineData("wrong-key", false)]
    [InlineData(null, false)]
    public async Task Stream_IncludeUsageHeader_AddsTheUsageChunkOnlyFromTheGateway(string? key, bool usageChunk)
    {
        await using var factory = GatewayFactory(FakeServedModel.Create());
        using HttpClient client = await ReadyGatewayClientAsync(factory, key, tenant: null, includeUsage: true);

        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello", ["max_tokens"] = 16, ["stream"] = true });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()));
        Assert.Equal(usageChunk, chunks[^1]["usage"] is not null);
        Assert.All(chunks.SkipLast(1), chunk => Assert.Null(chunk["usage"]));
        if (usageChunk)
        {
            Assert.Empty(chunks[^1]["choices"]!.AsArray());
            OpenAIAssert.Usage(chunks[^1]["usage"]);
        }
    }

    private static QuicksilverApiFactory GatewayFactory(Engine.ServedModel model, bool requireGateway = false) => new(
        model,
        new Dictionary<string, string?>
        {
            ["Quicksilver:Tenancy:GatewayKey"] = Key,
            ["Quicksilver:Tenancy:RequireGateway"] = requireGateway ? "true" : "false",
        });

    private static async Task<HttpClient> ReadyGatewayClientAsync(QuicksilverApiFactory factory, string? key, string? tenant, bool includeUsage = false)
    {
        HttpClient client = factory.CreateGatewayClient(key, tenant, includeUsage);
        await QuicksilverApiFactory.WaitUntilReadyAsync(client);
        return client;
    }
}
