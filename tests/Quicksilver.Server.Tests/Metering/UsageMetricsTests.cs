using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Metering.Tests;

/// <summary>
/// REAL ENGINE, priced: what finance reads off the meters is what the tenants were told. Per tenant, the totals of
/// <c>quicksilver.gpu.seconds</c> and <c>quicksilver.cost</c> (recorded by the engine as each sequence leaves it) and of
/// <c>quicksilver.tokens</c> (recorded by the server with each usage) equal the sums of the responses' <c>usage</c>.
/// Tokens must match exactly; seconds and dollars, which are summed in another order, to 1e-9 relative.
/// </summary>
[Trait("Engine", "Real")]
public sealed class UsageMetricsTests(MeteredModelFixture fixture) : IClassFixture<MeteredModelFixture>
{
    private const double Relative = 1e-9;

    [Fact]
    public async Task Meters_ConcurrentRequestsOfTwoTenants_TotalsEqualTheSumsOfTheirUsage()
    {
        using var totals = new MeteringTotals();
        string[] tenants = [$"tenant-a-{Guid.NewGuid():N}", $"tenant-b-{Guid.NewGuid():N}"];
        var usages = new ConcurrentDictionary<string, ConcurrentBag<JsonObject>>();

        // A stop sequence cut from a greedy answer ends its rerun in the first block, while the engine is still working
        // on the rest of the canvas: the time it spends until it lets go of the sequence is billed too. ignore_eos keeps
        // the greedy answer at max_tokens, past its first block, whatever the trained model would say.
        var greedy = new JsonObject { ["prompt"] = "The answer is", ["max_tokens"] = 32, ["block_length"] = 8, ["temperature"] = 0, ["ignore_eos"] = true };
        int greedyTokens;
        using (HttpClient client = fixture.CreateGatewayClient(tenants[0]))
        using (HttpResponseMessage response = await client.PostCompletionAsync(greedy))
        {
            JsonObject answer = await response.ReadJsonObjectAsync();
            JsonObject usage = answer["usage"]!.AsObject();
            usages.GetOrAdd(tenants[0], _ => []).Add(usage);
            greedyTokens = usage["completion_tokens"]!.GetValue<int>();
            string text = answer["choices"]![0]!["text"]!.GetValue<string>();
            Assert.False(string.IsNullOrWhiteSpace(text), "the greedy answer is empty");
            greedy["stop"] = text.Trim()[..1];
        }

        JsonObject[] stopped = await Task.WhenAll(tenants.Select(tenant => RunMixAsync(tenant, greedy, usages.GetOrAdd(tenant, _ => []))));

        Assert.All(stopped, usage => Assert.True(usage["completion_tokens"]!.GetValue<int>() < greedyTokens, "the stop sequence did not end the answer early"));

        foreach (string tenant in tenants)
        {
            JsonObject[] usage = [.. usages[tenant]];
            Assert.Equal(usage.Sum(u => u["prompt_tokens"]!.GetValue<int>()), totals.Total(UsageMeter.TokensName, tenant, "input"));
            Assert.Equal(usage.Sum(u => u["completion_tokens"]!.GetValue<int>()), totals.Total(UsageMeter.TokensName, tenant, "output"));
            double gpuSeconds = usage.Sum(u => u["gpu_seconds"]!.GetValue<double>());
            double cost = usage.Sum(u => u["cost_usd"]!.GetValue<double>());
            Assert.True(cost > 0, $"no cost for {tenant}");
            Assert.Equal(gpuSeconds, totals.Total("quicksilver.gpu.seconds", tenant), gpuSeconds * Relative);
            Assert.Equal(cost, totals.Total("quicksilver.cost", tenant), cost * Relative);
        }
    }

    /// <summary>Completions and chat, streamed and not, two choices, a stop sequence: all at once. Returns the stopped one's usage.</summary>
    private async Task<JsonObject> RunMixAsync(string tenant, JsonObject stopped, ConcurrentBag<JsonObject> usages)
    {
        using HttpClient client = fixture.CreateGatewayClient(tenant);
        using HttpClient usageAskingClient = fixture.CreateGatewayClient(tenant, includeUsage: true);
        Task<JsonObject>[] requests =
        [
            UsageRequests.UsageAsync(client.PostCompletionAsync(UsageRequests.Completion(stream: false, choices: 2)), stream: false),
            UsageRequests.UsageAsync(client.PostCompletionAsync(UsageRequests.Completion(stream: true)), stream: true),
            UsageRequests.UsageAsync(client.PostChatCompletionAsync(UsageRequests.Chat(stream: false)), stream: false),
            UsageRequests.UsageAsync(usageAskingClient.PostChatCompletionAsync(UsageRequests.Chat(stream: true, askForUsage: false)), stream: true),
            UsageRequests.UsageAsync(client.PostCompletionAsync(stopped.DeepClone().AsObject()), stream: false),
        ];
        JsonObject[] usage = await Task.WhenAll(requests);
        foreach (JsonObject one in usage)
        {
            usages.Add(one);
        }

        return usage[^1];
    }
}
