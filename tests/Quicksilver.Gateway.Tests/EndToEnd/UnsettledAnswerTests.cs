using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quicksilver.Gateway.RateLimiting;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>
/// An answer that ends without its usage (the client leaves a stream whose pod has not finished, or leaves before its
/// pod's answer began) is debited its ceiling, max_tokens × choices, plus the prompt tokens its pod announced, from the
/// tenant's token budget: leaving early is no way around the budget.
/// </summary>
public sealed class UnsettledAnswerTests
{
    [Fact]
    public async Task StreamLeftBeforeItsUsage_IsDebitedItsCeilingAndPrompt_SoTheNextRequestIsRefused()
    {
        // 8 answer tokens alone would leave 22 of the tenant's 30 tokens a minute; with the 40 prompt tokens it owes 18.
        await using StubPod pod = await StubPod.StartStallingStreamAsync(promptTokens: 40);
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address]);
        using HttpClient client = gateway.ClientFor(TestTenants.Thrifty);
        using (HttpResponseMessage first = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 8, stream: true)))
        {
            if (first.StatusCode != HttpStatusCode.OK)
            {
                Assert.Fail($"{first.StatusCode}: {await first.Content.ReadAsStringAsync()}");
            }

            Assert.False(first.Headers.Contains("X-Quicksilver-Prompt-Tokens"), "the pods' header is the gateway's, not the client's");
            using var reader = new StreamReader(await first.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: {", await reader.ReadLineAsync(), StringComparison.Ordinal);
        }

        // Owing 18 tokens at 0.5 a second: back above zero in 38 s, less the time since (debited twice: 134 s).
        await AssertDebitedAsync(gateway, client, retryAfterSeconds: (10, 39));
    }

    [Fact]
    public async Task RequestLeftBeforeItsPodAnswered_IsDebitedItsCeiling_SoTheNextRequestIsRefused()
    {
        // A non-streamed answer sends its headers when it is done; the client leaves while its pod is still at work.
        // Its 40-token ceiling overdraws the tenant's 30 tokens a minute (0.5 a second come back: 20 s to recover).
        await using StubPod pod = await StubPod.StartSilentAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address]);
        using HttpClient client = gateway.ClientFor(TestTenants.Thrifty);
        using (var leave = new CancellationTokenSource())
        {
            Task<HttpResponseMessage> abandoned = Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 40), cancellationToken: leave.Token);
            await LeaveOnceThePodHasItAsync(gateway, pod, abandoned, leave);
        }

        // Owing 10 tokens at 0.5 a second: back above zero in 22 s, less the time since (debited twice: 102 s).
        await AssertDebitedAsync(gateway, client, retryAfterSeconds: (5, 23));
    }

    [Fact]
    public async Task ChatLeftBeforeItsPodAnswered_WithoutABudget_IsDebitedThePodsReportedChatDefault()
    {
        // The pods' default chat budget is 40 tokens by their GET /load (the gateway's configured fallback is 1,024,
        // which would refuse the next request for about half an hour).
        await using StubPod pod = await StubPod.StartSilentAsync(chatDefaultMaxTokens: 40);
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address]);
        PodLoadRegistry loads = gateway.Services.GetRequiredService<PodLoadRegistry>();
        await Wait.UntilAsync(() => loads.LimitsOf([pod.Address.ToString()]) is not null, TimeSpan.FromSeconds(30), "the pod's load report");
        using HttpClient client = gateway.ClientFor(TestTenants.Thrifty);
        var chat = new JsonObject { ["model"] = GatewayServer.Model, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }) };
        using (var leave = new CancellationTokenSource())
        {
            Task<HttpResponseMessage> abandoned = client.PostAsJsonAsync("/v1/chat/completions", chat, leave.Token);
            await LeaveOnceThePodHasItAsync(gateway, pod, abandoned, leave);
        }

        await AssertDebitedAsync(gateway, client, retryAfterSeconds: (5, 23));
    }

    [Fact]
    public async Task RequestLeftWhileTheGatewayDrains_IsStillDebitedItsCeiling()
    {
        // The gateway's drain began (SIGTERM: the host stops, waiting for answers in flight) but its deadline, 10
        // minutes, is far off: a client that leaves an answer in flight has left. (The host is gone once it has.)
        await using StubPod pod = await StubPod.StartSilentAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address], new Dictionary<string, string?> { ["Gateway:DrainTimeout"] = "00:10:00" });
        TenantTokenBudgets budgets = gateway.Services.GetRequiredService<TenantTokenBudgets>();
        using HttpClient client = gateway.ClientFor(TestTenants.Thrifty);
        using (var leave = new CancellationTokenSource())
        {
            Task<HttpResponseMessage> abandoned = Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 40), cancellationToken: leave.Token);
            await Wait.UntilAsync(() => pod.Received >= 1, TimeSpan.FromSeconds(30), "the pod to receive the request", gateway.Explain);
            gateway.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
            await leave.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        }

        TokenBudget budget = budgets.Find(TestTenants.Thrifty)!;
        await Wait.UntilAsync(() => budget.Balance < 0, TimeSpan.FromSeconds(30), "the abandoned answer's 40-token debit");
    }

    [Fact]
    public async Task RequestCutByTheEndOfTheGatewaysDrain_IsDebitedNothing()
    {
        // A 1 s drain: the host cuts the answer still in flight, which its client did not leave.
        await using StubPod pod = await StubPod.StartSilentAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address], new Dictionary<string, string?> { ["Gateway:DrainTimeout"] = "00:00:01" });
        TenantTokenBudgets budgets = gateway.Services.GetRequiredService<TenantTokenBudgets>();
        using HttpClient client = gateway.ClientFor(TestTenants.Thrifty);
        Task<HttpResponseMessage> cut = Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 40));
        await Wait.UntilAsync(() => pod.Received >= 1, TimeSpan.FromSeconds(30), "the pod to receive the request", gateway.Explain);

        IHostApplicationLifetime lifetime = gateway.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopped = new TaskCompletionSource();
        lifetime.ApplicationStopped.Register(stopped.SetResult);

        lifetime.StopApplication();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => cut);
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the host stops once every request it cut has ended
        Assert.Equal(30, budgets.Find(TestTenants.Thrifty)!.Balance, tolerance: 1);
    }

    [Fact]
    public async Task RequestEndedByTheGatewaysRequestTimeout_Is504_AndDebitedNothing()
    {
        // The route's deadline, not the client, ends the wait for a silent pod: the client is answered, and the tenant
        // owes nothing (a 40-token debit would refuse the second request with 429).
        await using StubPod pod = await StubPod.StartSilentAsync();
        var settings = new Dictionary<string, string?> { ["Gateway:Routing:RequestTimeout"] = "00:00:01" };
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address], settings);
        using HttpClient client = gateway.ClientFor(TestTenants.Thrifty);

        foreach (int attempt in new[] { 1, 2 })
        {
            using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 40));
            Assert.True(response.StatusCode == HttpStatusCode.GatewayTimeout, $"attempt {attempt}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            JsonObject error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.AsObject();
            Assert.Equal("GatewayTimeoutError", (string?)error["type"]);
        }

        string scrape = (await MetricsScrape.TwiceAsync(gateway.Address))[0];
        Assert.Equal(2, MetricsScrape.Sum(scrape, "quicksilver_gateway_rejections_total{", "reason=\"model_timeout\""));
    }

    /// <summary>Waits until the silent pod has the whole request, then leaves (cancels <paramref name="abandoned"/>).</summary>
    private static async Task LeaveOnceThePodHasItAsync(GatewayServer gateway, StubPod pod, Task<HttpResponseMessage> abandoned, CancellationTokenSource leave)
    {
        await Wait.UntilAsync(() => pod.Received >= 1 || abandoned.IsCompleted, TimeSpan.FromSeconds(30), "the pod to receive the request", gateway.Explain);
        if (abandoned.IsCompletedSuccessfully)
        {
            using HttpResponseMessage early = await abandoned;
            Assert.Fail($"The gateway answered before the pod did: {early.StatusCode} {await early.Content.ReadAsStringAsync()}\n{gateway.Explain()}");
        }

        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
    }

    /// <summary>
    /// Waits until the gateway's meter has counted the thrifty tenant's abandoned answer as unsettled, then checks that
    /// the debit refuses the next request, with a <c>Retry-After</c> in <paramref name="retryAfterSeconds"/>.
    /// </summary>
    private static async Task AssertDebitedAsync(GatewayServer gateway, HttpClient client, (int Min, int Max) retryAfterSeconds)
    {
        using var scraper = new HttpClient { BaseAddress = gateway.Address };
        await Wait.UntilAsync(
            async () => (await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Split('\n').Any(line =>
                line.StartsWith("quicksilver_gateway_answers_unsettled_total{", StringComparison.Ordinal)
                && line.Contains("quicksilver_tenant=\"thrifty\"", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30),
            "the gateway to count the abandoned answer as unsettled",
            gateway.Explain);

        using HttpResponseMessage refused = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        JsonObject error = (await refused.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.AsObject();
        Assert.Equal("Rate limit reached for tokens per minute (30).", (string?)error["message"]);
        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, retryAfterSeconds.Min, retryAfterSeconds.Max);
    }
}
