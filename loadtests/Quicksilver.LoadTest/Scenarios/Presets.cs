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
    public static readonly string[] Names = ["smoke", "steady", "overload", "pod-failure", "pod-hang", "disconnect-storm", "gateway-vs-direct"];

    /// <summary>
    /// pod-hang: how long after the stop the hung pod's requests must have been taken back (the gateway's
    /// <c>UnresponsivePodTimeout</c>, 15 s, and a margin), and the most any request may take: less than the stop lasts
    /// (<see cref="Defaults"/>: from a fifth of the run to four fifths, 45 s), so one left waiting on the stopped pod
    /// until it runs again fails the run.
    /// </summary>
    public const double HungPodTakenBackSeconds = 20, HungPodLongestRequestSeconds = 35;

    public static LoadOptions Defaults(string scenario, string model) => scenario switch
    {
        // CI: short, closed loop, streamed; any 5xx or lost request fails it.
        "smoke" => new LoadOptions(model, Chat: false, Stream: true, MaxTokens: 32, ArrivalMode.Concurrency, DurationSeconds: 20, Concurrency: 4, Extra: Blocks(8)),
        "steady" => new LoadOptions(model, Chat: false, Stream: true, MaxTokens: 64, ArrivalMode.Poisson, DurationSeconds: 60, Rate: 1, Extra: Blocks(16, 64)),
        // Far above what the local CPU platform serves: admission control must answer 429, never 5xx.
        "overload" => new LoadOptions(model, Chat: false, Stream: true, MaxTokens: 64, ArrivalMode.Poisson, DurationSeconds: 30, Rate: 30, Extra: Blocks(16, 64)),
        "pod-failure" => new LoadOptions(model, Chat: false, Stream: true, MaxTokens: 64, ArrivalMode.Poisson, DurationSeconds: 40, Rate: 2, Extra: Blocks(16, 64)),
        "pod-hang" => new LoadOptions(model, Chat: false, Stream: true, MaxTokens: 64, ArrivalMode.Poisson, DurationSeconds: 75, Rate: 2, Extra: Blocks(16, 64)),
        // Three in four streams hang up after their first block; the pods must drop that work.
        "disconnect-storm" => new LoadOptions(model, Chat: false, Stream: true, MaxTokens: 128, ArrivalMode.Concurrency, DurationSeconds: 20, Concurrency: 16, HangUpFraction: 0.75, Extra: Blocks(16, 128)),
        "gateway-vs-direct" => new LoadOptions(model, Chat: false, Stream: true, MaxTokens: 16, ArrivalMode.Poisson, DurationSeconds: 30, Rate: 5),
        _ => throw new ArgumentException($"Unknown scenario '{scenario}' ({string.Join(", ", Names)}).", nameof(scenario)),
    };

    /// <summary>Blocks of <paramref name="length"/> tokens, two denoising steps each, so that a stream has several events (ITL) for its max_tokens.</summary>
    private static JsonObject Blocks(int length, int maxTokens = 32) => new() { ["block_length"] = length, ["steps"] = 2 * maxTokens / length };

    /// <param name="disruption">What pod-failure or pod-hang did to a pod, null if nothing was done.</param>
    /// <param name="maxE2eMs">overload: the bound on admitted requests' p99 end-to-end latency.</param>
    public static IReadOnlyList<Check> Checks(string scenario, IReadOnlyList<RunSummary> summaries, IReadOnlyList<RequestResult> results, PodDisruption? disruption, double maxE2eMs)
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
                if (disruption is not { At: var kill })
                {
                    checks.Add(new Check("a pod was killed", false, "pod-failure needs --platform local"));
                    break;
                }

                checks.Add(AllCompleted("recovered: requests sent 5 s after the kill completed", results, from: kill + 5));
                checks.Add(new Check("lost requests (counted, not judged)", true, string.Create(CultureInfo.InvariantCulture, $"{lost} lost and {fivexx} 5xx of {results.Count}, pod killed at {kill:0.0} s")));
                break;
            case "pod-hang":
                if (disruption is not { At: var stop, EndedAt: { } resume })
                {
                    checks.Add(new Check("a pod was stopped and resumed", false, "pod-hang needs --platform local on Linux, with 2 pods or more"));
                    break;
                }

                double longest = results.Count == 0 ? 0 : results.Max(r => r.E2eMs) / 1000;
                checks.Add(AllCompleted(string.Create(CultureInfo.InvariantCulture, $"taken back: requests sent {HungPodTakenBackSeconds:0} s after the stop completed"), results, from: stop + HungPodTakenBackSeconds, until: resume));
                checks.Add(AllCompleted("back: requests sent 5 s after the pod ran again completed", results, from: resume + 5));
                checks.Add(new Check("no request waited on the stopped pod", longest <= HungPodLongestRequestSeconds, string.Create(CultureInfo.InvariantCulture, $"longest request {longest:0.0} s (bound {HungPodLongestRequestSeconds:0} s)")));
                checks.Add(new Check("lost requests (counted, not judged)", true, string.Create(CultureInfo.InvariantCulture, $"{lost} lost (streams the stopped pod had begun end with an error event) and {fivexx} 5xx of {results.Count}, pod stopped from {stop:0.0} s to {resume:0.0} s")));
                break;
            default:
                checks.AddRange([No5xx(), NoLost(), SomeCompleted()]);
                break;
        }

        return checks;
    }

    /// <summary>Whether every request sent in [<paramref name="from"/>, <paramref name="until"/>) completed (and there was one).</summary>
    private static Check AllCompleted(string name, IReadOnlyList<RequestResult> results, double from, double until = double.PositiveInfinity)
    {
        RequestResult[] sent = [.. results.Where(r => r.StartSeconds >= from && r.StartSeconds < until)];
        int failed = sent.Count(r => r.Outcome != Outcome.Ok);
        return new Check(name, sent.Length > 0 && failed == 0, $"{sent.Length - failed}/{sent.Length} completed");
    }
}

/// <summary>What a scenario did to a pod, in seconds from the start of the run: killed it, or stopped it until <paramref name="EndedAt"/>.</summary>
internal sealed record PodDisruption(double At, double? EndedAt = null);
