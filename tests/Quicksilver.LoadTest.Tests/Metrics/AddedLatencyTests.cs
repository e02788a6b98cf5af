using Quicksilver.LoadTest.Client;
using Quicksilver.LoadTest.Metrics;
using Quicksilver.LoadTest.Reports;

namespace Quicksilver.LoadTest.Tests.Metrics;

public class AddedLatencyTests
{
    private static RequestResult Ok(string target, double ttft, double e2e) =>
        new(target, 0, Outcome.Ok, 200, null, e2e, ttft, [], 16, 4, null, null, null);

    private static RunSummary Summary(string target, double offsetMs) =>
        RunSummary.Of(target, [.. Enumerable.Range(1, 100).Select(i => Ok(target, ttft: i + offsetMs, e2e: (2 * i) + offsetMs))], Slo.None);

    [Fact]
    public void Between_is_the_gateways_percentile_minus_the_direct_paths_for_ttft_and_e2e()
    {
        IReadOnlyList<AddedLatency> added = AddedLatency.Between(Summary("gateway", offsetMs: 1.5), Summary("direct", offsetMs: 0));

        Assert.Equal(["TTFT", "E2E"], added.Select(a => a.Metric));
        Assert.All(added, a => Assert.Equal((1.5, 1.5, 1.5), (a.P50Ms, a.P90Ms, a.P99Ms)));
    }

    [Fact]
    public void Report_shows_the_added_latency_only_when_there_is_one()
    {
        RunSummary gateway = Summary("gateway", offsetMs: 2), direct = Summary("direct", offsetMs: 0);
        var report = new RunReport("gateway-vs-direct", "cmd", DateTime.UnixEpoch, "test", [gateway, direct], []);

        Assert.DoesNotContain("Added by the gateway", report.ToMarkdown(), StringComparison.Ordinal);
        string markdown = (report with { GatewayAdded = AddedLatency.Between(gateway, direct) }).ToMarkdown();
        Assert.Contains("| TTFT | 2.0 | 2.0 | 2.0 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| E2E | 2.0 | 2.0 | 2.0 |", markdown, StringComparison.Ordinal);
    }
}
