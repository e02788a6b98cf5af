using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Quicksilver.LoadTest.Client;
using Quicksilver.LoadTest.Metrics;

namespace Quicksilver.LoadTest.Reports;

/// <summary>A scenario's pass/fail condition and what was measured against it.</summary>
internal sealed record Check(string Name, bool Passed, string Detail);

/// <summary>Everything a run reports: the scenario, its command line, one summary per target, its checks.</summary>
internal sealed record RunReport(string Scenario, string Command, DateTime StartedUtc, string Machine, IReadOnlyList<RunSummary> Summaries, IReadOnlyList<Check> Checks)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>gateway-vs-direct: the latency the gateway adds (empty for the other scenarios).</summary>
    public IReadOnlyList<AddedLatency> GatewayAdded { get; init; } = [];

    public bool Passed => Checks.All(c => c.Passed);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Writes <c>result.json</c>, <c>summary.md</c>, <c>latency-cdf.png</c> and <c>throughput.png</c> into <paramref name="folder"/>.</summary>
    public async Task WriteAsync(string folder, IReadOnlyList<RequestResult> results)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "result.json"), ToJson());
        await File.WriteAllTextAsync(Path.Combine(folder, "summary.md"), ToMarkdown());
        Plots.LatencyCdf(results, Path.Combine(folder, "latency-cdf.png"));
        Plots.Throughput(Summaries, Path.Combine(folder, "throughput.png"));
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Load test: {Scenario}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`{Command}` — {StartedUtc:yyyy-MM-dd HH:mm} UTC, {Machine}.");
        md.AppendLine();
        md.AppendLine("| target | requests | ok | lost | 5xx | 429 | cancelled | req/s | output tok/s | goodput | $/1K tokens | $/1K output tokens | tokens/step |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (RunSummary s in Summaries)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.Target} | {s.Requests} | {s.Completed} | {s.Lost} | {s.Http5xx} | {s.Http429} | {s.Cancelled} | {s.RequestsPerSecond:0.00} | {s.OutputTokensPerSecond:0.0} | {s.GoodputFraction:P0} ({s.GoodputPerSecond:0.00}/s{(s.Slo.Length > 0 ? ", " + s.Slo : string.Empty)}) | {Money(s.CostPer1KTokensUsd)} | {Money(s.CostPer1KOutputTokensUsd)} | {(s.TokensPerStep is { } t ? t.ToString("0.00", CultureInfo.InvariantCulture) : "not reported")} |");
        }

        md.AppendLine();
        md.AppendLine("Latency in ms over completed requests (nearest-rank percentiles; ITL = gaps between SSE events, one per diffusion block):");
        md.AppendLine();
        md.AppendLine("| target | metric | n | mean | p50 | p90 | p99 | max |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (RunSummary s in Summaries)
        {
            foreach ((string name, Distribution d) in new[] { ("TTFT", s.TtftMs), ("TPOT", s.TpotMs), ("ITL", s.ItlMs), ("E2E", s.E2eMs) })
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {s.Target} | {name} | {d.Count} | {d.Mean:0.0} | {d.P50:0.0} | {d.P90:0.0} | {d.P99:0.0} | {d.Max:0.0} |");
            }
        }

        if (GatewayAdded.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Added by the gateway (gateway − direct, ms; both paths to the same pod in the same seconds):");
            md.AppendLine();
            md.AppendLine("| metric | p50 | p90 | p99 |");
            md.AppendLine("|---|---|---|---|");
            foreach (AddedLatency added in GatewayAdded)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {added.Metric} | {added.P50Ms:0.0} | {added.P90Ms:0.0} | {added.P99Ms:0.0} |");
            }
        }

        if (Summaries.Any(s => s.Errors.Count > 0))
        {
            md.AppendLine();
            md.AppendLine("| target | error | count | most common message |");
            md.AppendLine("|---|---|---|---|");
            foreach (RunSummary s in Summaries)
            {
                foreach ((string key, int count) in s.Errors)
                {
                    string message = s.ErrorMessages.TryGetValue(key, out string? m) ? m.Replace("|", "\\|", StringComparison.Ordinal) : "";
                    md.AppendLine(CultureInfo.InvariantCulture, $"| {s.Target} | {key} | {count} | {message} |");
                }
            }
        }

        md.AppendLine();
        foreach (Check c in Checks)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {(c.Passed ? "PASS" : "FAIL")} {c.Name}: {c.Detail}");
        }

        return md.ToString();
    }

    private static string Money(double? usd) => usd is { } v ? v.ToString("0.000000", CultureInfo.InvariantCulture) : "not reported";
}
