using System.Globalization;
using System.Text.Json.Nodes;
using Quicksilver.LoadTest.Client;
using Quicksilver.LoadTest.Metrics;
using Quicksilver.LoadTest.Reports;

namespace Quicksilver.LoadTest.Scenarios;

/// <summary>
/// The named scenarios: their default load (every option on the command line overrides it) and the checks that decide
/// the exit code.
/// </summary>
internal static class Presets
{
    public static readonly string[] Names = ["smoke", "steady", "overload", "pod-failure", "disconnect-storm", "gateway-vs-direct"];

    public static LoadOptions Defaults(string scenario, string model) => scenario switch
    {
        // CI: short, closed loop, streamed; any 5xx or lost request fails it.
        "smoke" => new LoadOptions(model, Chat: false, Stream: true, MaxTokens: 32, ArrivalMode.Concurrency, DurationSeconds: 20, Concurrency: 4, Extra: Blocks(8)),
        "steady" => new LoadOptions(model, Chat: false, Stream: true, MaxTokens: 64, ArrivalMode.Poisson, DurationSeconds: 60, Rate: 1, Extra: Blocks(16, 64)),
        // Far above what the local CPU platform serves: admission control must answer 429, never 5xx.
        "overload" => new LoadOptions(model, Chat: false, Stream: true, MaxTokens: 64, ArrivalMode.Poisson, DurationSeconds: 30, Rate: 30, Extra: Blocks(16, 64)),
        "pod-failure" => new LoadOptions(model, Chat: false, Stream: true, MaxTokens: 64, ArrivalMode.Poisson, DurationSeconds: 40, Rate: 2, Extra: Blocks(16, 64)),
        // Three in four streams hang up after their first block; the pods must drop that work.
        "disconnect-storm" => new LoadOptions(model, Chat: false, Stream: true, MaxTokens: 128, ArrivalMode.Concurrency, DurationSeconds: 20, Concurrency: 16, HangUpFraction: 0.75, Extra: Blocks(16, 128)),
        "gateway-vs-direct" => new LoadOptions(model, Chat: false, Stream: true, MaxTokens: 16, ArrivalMode.Poisson, DurationSeconds: 30, Rate: 5),
        _ => throw new ArgumentException($"Unknown scenario '{scenario}' ({string.Join(", ", Names)}).", nameof(scenario)),
    };

    /// <summary>Blocks of <paramref name="length"/> tokens, two denoising steps each, so that a stream has several events (ITL) for its max_tokens.</summary>
    private static JsonObject Blocks(int length, int maxTokens = 32) => new() { ["block_length"] = length, ["steps"] = 2 * maxTokens / length };

    /// <param name="killAtSeconds">When pod-failure killed its pod (seconds from the start), null if it did not.</param>
    /// <param name="maxE2eMs">overload: the bound on admitted requests' p99 end-to-end latency.</param>
    public static IReadOnlyList<Check> Checks(string scenario, IReadOnlyList<RunSummary> summaries, IReadOnlyList<RequestResult> results, double? killAtSeconds, double maxE2eMs)
    {
        var checks = new List<Check>();
        int fivexx = summaries.Sum(s => s.Http5xx);
        int lost = summaries.Sum(s => s.Lost);
        int completed = summaries.Sum(s => s.Completed);
        Check No5xx() => new("no 5xx", fivexx == 0, $"{fivexx} responses with status ≥ 500");
        Check NoLost() => new("no lost requests", lost == 0, $"{lost} lost (transport failure, truncated stream or error event after 200)");
        Check SomeCompleted() => new("some requests completed", completed > 0, $"{completed} completed");
        switch (scenario)
        {
            case "overload":
                int tooMany = summaries.Sum(s => s.Http429);
                double p99 = summaries.Max(s => s.E2eMs.P99);
                checks.AddRange([No5xx(), NoLost(), SomeCompleted(),
                    new Check("overload reached (429s)", tooMany > 0, $"{tooMany} answered 429"),
                    new Check("admitted latency bounded", p99 <= maxE2eMs, string.Create(CultureInfo.InvariantCulture, $"E2E p99 {p99:0} ms (bound {maxE2eMs:0} ms)"))]);
                break;
            case "pod-failure":
                if (killAtSeconds is not { } kill)
                {
                    checks.Add(new Check("a pod was killed", false, "pod-failure needs --platform local"));
                    break;
                }

                RequestResult[] after = [.. results.Where(r => r.StartSeconds >= kill + 5)];
                int failedAfter = after.Count(r => r.Outcome != Outcome.Ok);
                checks.Add(new Check("recovered: requests sent 5 s after the kill completed", after.Length > 0 && failedAfter == 0, $"{after.Length - failedAfter}/{after.Length} completed"));
                checks.Add(new Check("lost requests (counted, not judged)", true, string.Create(CultureInfo.InvariantCulture, $"{lost} lost and {fivexx} 5xx of {results.Count}, pod killed at {kill:0.0} s")));
                break;
            default:
                checks.AddRange([No5xx(), NoLost(), SomeCompleted()]);
                break;
        }

        return checks;
    }
}
