using Quicksilver.LoadTest.Client;
using Quicksilver.LoadTest.Metrics;
using Quicksilver.LoadTest.Reports;
using Quicksilver.LoadTest.Scenarios;

namespace Quicksilver.LoadTest.Tests.Scenarios;

public class PresetsTests
{
    private static RequestResult Ok(double start) => new("target", start, Outcome.Ok, 200, null, 100, 50, [], 4, 1, null, null, null);

    private static RequestResult Failed(double start, int? status, Outcome outcome) => new("target", start, outcome, status, "x", 5, null, [], 0, 0, null, null, null);

    private static IReadOnlyList<Check> Checks(string scenario, PodDisruption? disruption, params RequestResult[] results) =>
        Presets.Checks(scenario, [RunSummary.Of("target", results, Slo.None)], results, disruption, maxE2eMs: 1000);

    [Fact]
    public void Every_preset_has_defaults()
    {
        Assert.All(Presets.Names, name => Assert.Equal("m", Presets.Defaults(name, "m").Model));
        Assert.True(Presets.Defaults("smoke", "m").DurationSeconds <= 30);
    }

    [Fact]
    public void Smoke_fails_on_any_5xx_or_lost_request_and_passes_otherwise()
    {
        Assert.All(Checks("smoke", null, Ok(0), Ok(1)), c => Assert.True(c.Passed));
        Assert.Contains(Checks("smoke", null, Ok(0), Failed(1, 502, Outcome.HttpError)), c => !c.Passed && c.Name == "no 5xx");
        Assert.Contains(Checks("smoke", null, Ok(0), Failed(1, 200, Outcome.Lost)), c => !c.Passed && c.Name == "no lost requests");
        // A 429 is admission control working, not a smoke failure.
        Assert.All(Checks("smoke", null, Ok(0), Failed(1, 429, Outcome.HttpError)), c => Assert.True(c.Passed));
    }

    [Fact]
    public void Overload_needs_429s_no_5xx_and_bounded_admitted_latency()
    {
        Assert.All(Checks("overload", null, Ok(0), Failed(1, 429, Outcome.HttpError)), c => Assert.True(c.Passed));
        Assert.Contains(Checks("overload", null, Ok(0)), c => !c.Passed && c.Name.Contains("429", StringComparison.Ordinal));
        Assert.Contains(Checks("overload", null, Ok(0) with { E2eMs = 5000 }, Failed(1, 429, Outcome.HttpError)), c => !c.Passed && c.Name.Contains("bounded", StringComparison.Ordinal));
    }

    [Fact]
    public void Pod_failure_judges_recovery_after_the_kill_and_only_counts_losses_around_it()
    {
        var killed = new PodDisruption(10);
        Assert.All(Checks("pod-failure", killed, Ok(0), Failed(10.5, 200, Outcome.Lost), Ok(16)), c => Assert.True(c.Passed));
        Assert.Contains(Checks("pod-failure", killed, Ok(0), Failed(16, 502, Outcome.HttpError)), c => !c.Passed);
        Assert.Contains(Checks("pod-failure", null, Ok(0)), c => !c.Passed);
    }

    [Fact]
    public void Pod_hang_judges_requests_once_the_pod_is_taken_back_and_after_it_runs_again_and_that_none_waited_on_it()
    {
        var stopped = new PodDisruption(15, EndedAt: 60);
        // A stream the stopped pod had begun is cut (lost, counted), and one it held unanswered is answered late.
        RequestResult[] ran = [Ok(0), Failed(14, 200, Outcome.Lost) with { E2eMs = 17_000 }, Ok(15) with { E2eMs = 19_000 }, Ok(40), Ok(66)];
        Assert.All(Checks("pod-hang", stopped, ran), c => Assert.True(c.Passed, $"{c.Name}: {c.Detail}"));

        Assert.Contains(Checks("pod-hang", stopped, [.. ran, Failed(41, 504, Outcome.HttpError)]), c => !c.Passed && c.Name.StartsWith("taken back", StringComparison.Ordinal));
        Assert.Contains(Checks("pod-hang", stopped, [.. ran, Failed(70, 503, Outcome.HttpError)]), c => !c.Passed && c.Name.StartsWith("back:", StringComparison.Ordinal));
        // Left waiting on the stopped pod until it ran again: 45 s.
        Assert.Contains(Checks("pod-hang", stopped, [.. ran, Ok(15.5) with { E2eMs = 45_000 }]), c => !c.Passed && c.Name == "no request waited on the stopped pod");
        Assert.Contains(Checks("pod-hang", null, Ok(0)), c => !c.Passed);
    }
}
