using System.Text.Json.Nodes;
using Quicksilver.Gateway.Tests.Infrastructure;
using Quicksilver.LoadTest.Metrics;
using Quicksilver.LoadTest.Scenarios;

namespace Quicksilver.LoadTest.Tests.Scenarios;

/// <summary>
/// The load generator's whole run (<see cref="ScenarioRun"/>: arrivals, client, summaries, checks, report files) for a
/// few seconds against a real model server on the embedded model <c>quicksilver-tiny</c>, on a loopback Kestrel port.
/// </summary>
public sealed class RealPodRunTests : IAsyncLifetime
{
    private const int MaxTokens = 16;
    private const int BlockLength = 4;

    private PodServer _pod = null!;
    private string _out = null!;

    public async Task InitializeAsync()
    {
        _out = Directory.CreateTempSubdirectory("quicksilver-loadtest-").FullName;
        _pod = await PodServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _pod.DisposeAsync();
        Directory.Delete(_out, recursive: true);
    }

    [Theory]
    [InlineData(true, "Concurrency")]
    [InlineData(false, "Poisson")]
    public async Task RunAsync_RealPod_ReportsEveryRequestCompletedWithOrderedLatenciesUsageTokensAndCost(bool stream, string arrival)
    {
        var load = new LoadOptions("quicksilver-tiny", Chat: false, stream, MaxTokens, Enum.Parse<ArrivalMode>(arrival), DurationSeconds: 3, Concurrency: 2, Rate: 5,
            Extra: new JsonObject { ["block_length"] = BlockLength, ["steps"] = 8 });
        var settings = new RunSettings("smoke", load, _pod.Address, ApiKey: null, DirectUrl: null, LocalPlatform: false, Port: 0, Pods: 0,
            "quicksilver-tiny", PromptsFile: null, PromptWords: 8, Slo.None, MaxE2eMs: 60_000, _out, ShowProgress: false, Command: "test");

        int exitCode = await ScenarioRun.RunAsync(settings, CancellationToken.None);

        Assert.Equal(0, exitCode);
        Assert.All(["summary.md", "latency-cdf.png", "throughput.png"], file => Assert.True(File.Exists(Path.Combine(_out, file)), $"{file} was not written"));
        JsonObject report = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_out, "result.json")))!.AsObject();
        Assert.All(report["checks"]!.AsArray(), check => Assert.True((bool)check!["passed"]!, check.ToJsonString()));
        JsonObject summary = Assert.Single(report["summaries"]!.AsArray())!.AsObject();

        int requests = (int)summary["requests"]!;
        Assert.True(requests >= 2, $"only {requests} requests in 3 s"); // the closed loop keeps 2 in flight from the start
        Assert.Equal((requests, 0, 0, 0, 0), ((int)summary["completed"]!, (int)summary["lost"]!, (int)summary["http5xx"]!, (int)summary["http429"]!, (int)summary["cancelled"]!));
        Assert.Empty(summary["errors"]!.AsObject());

        JsonObject ttft = Ordered(summary["ttft_ms"]!, requests);
        JsonObject e2e = Ordered(summary["e2e_ms"]!, requests);
        Assert.True((double)ttft["p50"]! <= (double)e2e["p50"]!);
        if (stream)
        {
            // One event per finalised block of 4: up to 3 gaps per answer.
            Assert.InRange((int)Ordered(summary["itl_ms"]!, count: null)["count"]!, requests, requests * ((MaxTokens / BlockLength) - 1));
        }
        else
        {
            Assert.Equal(0, (int)summary["itl_ms"]!["count"]!);
        }

        // Output tokens come from usage: more than the text events (at most 4 per streamed answer, 1 unstreamed) could count.
        double outputTokens = (double)summary["output_tokens_per_second"]! * (double)summary["duration_seconds"]!;
        Assert.InRange(outputTokens, (MaxTokens / BlockLength * requests) + 1, MaxTokens * requests * 1.0001);
        Assert.Equal(requests, (int)summary["tpot_ms"]!["count"]!);

        // Usage reports the denoising steps: 16 tokens (ignore_eos) in 8 steps each.
        Assert.Equal(2.0, (double)summary["tokens_per_step"]!);

        // The pod charges 3.6 USD per device-hour, so every answer's usage carries its cost.
        Assert.True((double)summary["cost_per1_k_tokens_usd"]! > 0, summary.ToJsonString());
        Assert.True((double)summary["cost_per1_k_output_tokens_usd"]! > (double)summary["cost_per1_k_tokens_usd"]!);
    }

    /// <summary>A latency distribution with <paramref name="count"/> values (any when null) and 0 &lt; p50 ≤ p90 ≤ p99 ≤ max.</summary>
    private static JsonObject Ordered(JsonNode distribution, int? count)
    {
        JsonObject d = distribution.AsObject();
        if (count is { } expected)
        {
            Assert.Equal(expected, (int)d["count"]!);
        }

        double[] percentiles = [(double)d["p50"]!, (double)d["p90"]!, (double)d["p99"]!, (double)d["max"]!];
        Assert.True(percentiles[0] > 0, d.ToJsonString());
        Assert.Equal(percentiles.Order(), percentiles);
        return d;
    }
}
