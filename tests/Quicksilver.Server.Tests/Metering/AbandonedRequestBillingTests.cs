using System.Text;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Metering.Tests;

/// <summary>
/// FAKE ENGINE, paused after its first block of 8 tokens: a request whose client leaves once the engine has run it is
/// billed on <c>quicksilver.tokens</c> its prompt and the answer tokens finalised until then (the device did that work,
/// and its seconds are on the cost meters already); one that leaves before the engine ran a step is billed nothing.
/// </summary>
[Trait("Engine", "Fake")]
public sealed class AbandonedRequestBillingTests
{
    private const string GatewayKey = "test-gateway-key-0123456789";
    private const int FirstBlockTokens = 8;

    private static readonly Dictionary<string, string?> Settings = new() { ["Quicksilver:Tenancy:GatewayKey"] = GatewayKey };

    [Theory]
    [InlineData("/v1/completions", true)]
    [InlineData("/v1/completions", false)]
    [InlineData("/v1/chat/completions", true)]
    [InlineData("/v1/chat/completions", false)]
    public async Task ClientLeavesAfterTheFirstBlock_IsBilledItsPromptAndThatBlock(string path, bool stream)
    {
        using var totals = new MeteringTotals();
        string tenant = $"leaver-{Guid.NewGuid():N}";
        FakeGenerationEngine engine = FakeServedModel.Engine(pauseAfterBlocks: 1);
        await using var factory = new QuicksilverApiFactory(IsChat(path) ? FakeChatModel.Create(engine) : FakeServedModel.Create(engine), Settings);
        await QuicksilverApiFactory.WaitUntilReadyAsync(factory.CreateClient());
        using HttpClient client = factory.CreateGatewayClient(GatewayKey, tenant);

        using (var leave = new CancellationTokenSource())
        {
            Task reading = ReadToEndAsync(client, Request(path, stream), leave.Token);
            await engine.Paused.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await leave.CancelAsync();
            Exception? left = await Record.ExceptionAsync(() => reading);
            Assert.True(left is OperationCanceledException or IOException, $"the client did not leave: {left}");
        }

        await engine.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        for (DateTime deadline = DateTime.UtcNow.AddSeconds(10); totals.Total(UsageMeter.TokensName, tenant, "output") == 0 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(20);
        }

        Assert.Equal(engine.LastRequest.InputTokenCount, totals.Total(UsageMeter.TokensName, tenant, "input"));
        Assert.Equal(FirstBlockTokens, totals.Total(UsageMeter.TokensName, tenant, "output"));
    }

    [Fact]
    public async Task ClientLeavesBeforeTheEngineRanAStep_IsBilledNothing()
    {
        using var totals = new MeteringTotals();
        string tenant = $"early-leaver-{Guid.NewGuid():N}";
        FakeGenerationEngine engine = FakeServedModel.Engine(pauseAfterBlocks: 0);
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(engine), Settings);
        await QuicksilverApiFactory.WaitUntilReadyAsync(factory.CreateClient());
        using HttpClient client = factory.CreateGatewayClient(GatewayKey, tenant);

        using (var leave = new CancellationTokenSource())
        {
            Task<HttpResponseMessage> request = client.SendAsync(Request("/v1/completions", stream: false), leave.Token);
            await engine.Paused.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await leave.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        }

        await engine.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // A finished request of the same tenant afterwards: its usage is then the tenant's whole bill.
        engine.Gate.SetResult();
        using HttpResponseMessage finished = await client.SendAsync(Request("/v1/completions", stream: false));
        JsonObject usage = (await finished.ReadJsonObjectAsync())["usage"]!.AsObject();
        Assert.Equal(usage["prompt_tokens"]!.GetValue<int>(), totals.Total(UsageMeter.TokensName, tenant, "input"));
        Assert.Equal(usage["completion_tokens"]!.GetValue<int>(), totals.Total(UsageMeter.TokensName, tenant, "output"));
    }

    private static async Task ReadToEndAsync(HttpClient client, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await body.CopyToAsync(Stream.Null, cancellationToken);
    }

    private static bool IsChat(string path) => path.Contains("chat", StringComparison.Ordinal);

    private static HttpRequestMessage Request(string path, bool stream)
    {
        JsonObject body = IsChat(path)
            ? new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Say hello" }) }
            : new JsonObject { ["prompt"] = "Say hello" };
        body["max_tokens"] = 64;
        body["stream"] = stream;
        return new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
    }
}
