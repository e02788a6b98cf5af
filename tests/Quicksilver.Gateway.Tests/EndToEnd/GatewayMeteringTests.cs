using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Quicksilver.Gateway.Telemetry;
using Quicksilver.Gateway.Tests.Infrastructure;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>What finance reads from the gateway equals what the answers said they cost.</summary>
public sealed class GatewayMeteringTests
{
    [Fact]
    public async Task TokenUsageAndCostMetrics_EqualTheSumOfTheAnswersUsage_PerTenant()
    {
        await using Platform platform = await Platform.StartAsync(podCount: 2);
        var recorded = new ConcurrentBag<(string Instrument, double Value, string Tenant, string? TokenType, string? Operation)>();
        using var listener = Listen(platform.Gateway, recorded);

        // Non-streamed and streamed answers, concurrently, for two tenants. (A stream whose client did not ask for
        // usage is metered too — see the tokens-per-minute test — but its client has no usage to compare with.)
        var answers = new List<(string Tenant, Task<JsonObject> Usage)>();
        foreach (string tenant in new[] { TestTenants.Acme, TestTenants.Globex })
        {
            HttpClient client = platform.Gateway.ClientFor(tenant);
            answers.Add((tenant, UsageOfAnswerAsync(client, Platform.Completion(maxTokens: 8))));
            answers.Add((tenant, UsageOfStreamAsync(client)));
            answers.Add((tenant, UsageOfAnswerAsync(client, Platform.Completion(maxTokens: 16, prompt: "A longer prompt for the second request"))));
            answers.Add((tenant, UsageOfStreamAsync(client)));
            answers.Add((tenant, UsageOfChatAsync(client)));
        }

        await Task.WhenAll(answers.Select(a => a.Usage));
        Assert.All(recorded.Where(r => r.Instrument == "gen_ai.client.token.usage"), r => Assert.Contains(r.Operation, new[] { "chat", "text_completion" }));
        foreach (string tenant in new[] { TestTenants.Acme, TestTenants.Globex })
        {
            JsonObject[] mine = [.. answers.Where(a => a.Tenant == tenant).Select(a => a.Usage.Result)];
            Assert.All(mine, usage => Assert.True((double?)usage["gpu_seconds"] > 0, $"no device time in {usage.ToJsonString()}"));
            Assert.Equal(mine.Sum(u => (long)u["prompt_tokens"]!), Total(recorded, "gen_ai.client.token.usage", tenant, "input"));
            Assert.Equal(mine.Sum(u => (long)u["completion_tokens"]!), Total(recorded, "gen_ai.client.token.usage", tenant, "output"));
            double cost = mine.Sum(u => (double?)u["cost_usd"] ?? 0);
            double gpuSeconds = mine.Sum(u => (double?)u["gpu_seconds"] ?? 0);
            // Summed in another order than the gateway's counter: equal within floating-point rounding.
            Assert.Equal(cost, Total(recorded, "quicksilver.gateway.cost", tenant, null), precision: 12);
            Assert.Equal(gpuSeconds, Total(recorded, "quicksilver.gateway.gpu.seconds", tenant, null), precision: 12);
            JsonObject chat = mine[^1];
            Assert.Equal((long)chat["completion_tokens"]!, recorded.Where(r => r.Tenant == tenant && r is { Instrument: "gen_ai.client.token.usage", TokenType: "output", Operation: "chat" }).Sum(r => r.Value));
        }
    }

    private static async Task<JsonObject> UsageOfChatAsync(HttpClient client)
    {
        var body = new JsonObject
        {
            ["model"] = GatewayServer.Model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Say hello" }),
            ["max_completion_tokens"] = 8,
        };
        using HttpResponseMessage response = await client.PostAsJsonAsync("/v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["usage"]!.AsObject();
    }

    private static async Task<JsonObject> UsageOfAnswerAsync(HttpClient client, JsonObject request)
    {
        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["usage"]!.AsObject();
    }

    private static async Task<JsonObject> UsageOfStreamAsync(HttpClient client)
    {
        JsonObject request = Platform.Completion(maxTokens: 12, stream: true);
        request["stream_options"] = new JsonObject { ["include_usage"] = true };
        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, request);
        IReadOnlyList<string> payloads = ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(payloads[^1])!["usage"]!.AsObject();
    }

    private static MeterListener Listen(GatewayServer gateway, ConcurrentBag<(string, double, string, string?, string?)> recorded)
    {
        IMeterFactory factory = gateway.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GatewayMetrics.MeterName && instrument.Meter.Scope == factory)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => recorded.Add((instrument.Name, value, Tag(tags, "quicksilver.tenant")!, Tag(tags, "gen_ai.token.type"), Tag(tags, "gen_ai.operation.name"))));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => recorded.Add((instrument.Name, value, Tag(tags, "quicksilver.tenant")!, Tag(tags, "gen_ai.token.type"), Tag(tags, "gen_ai.operation.name"))));
        listener.Start();
        return listener;
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value as string;
            }
        }

        return null;
    }

    private static double Total(IEnumerable<(string Instrument, double Value, string Tenant, string? TokenType, string? Operation)> recorded, string instrument, string tenant, string? tokenType) =>
        recorded.Where(r => r.Instrument == instrument && r.Tenant == tenant && r.TokenType == tokenType).Sum(r => r.Value);
}
