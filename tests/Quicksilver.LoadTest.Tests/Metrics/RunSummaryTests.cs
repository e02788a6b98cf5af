using Quicksilver.LoadTest.Client;
using Quicksilver.LoadTest.Metrics;

namespace Quicksilver.LoadTest.Tests.Metrics;

public class RunSummaryTests
{
    private static RequestResult Ok(double start, double e2e, double ttft, int tokens, double cost = 0.001, int prompt = 10) =>
        new("target", start, Outcome.Ok, 200, null, e2e, ttft, [ttft / 2, ttft / 2], tokens, prompt, 0.5, cost, null);

    [Fact]
    public void Tpot_is_time_after_the_first_token_over_the_remaining_tokens()
    {
        Assert.Equal(10, Ok(0, e2e: 410, ttft: 100, tokens: 32).TpotMs);
        Assert.Null(Ok(0, e2e: 410, ttft: 100, tokens: 1).TpotMs);
    }

    [Fact]
    public void Goodput_counts_completed_requests_meeting_every_slo_over_all_but_cancelled()
    {
        RequestResult[] results =
        [
            Ok(0, e2e: 1000, ttft: 100, tokens: 10),   // TPOT 100: meets both
            Ok(0, e2e: 1000, ttft: 600, tokens: 10),   // TTFT too slow
            Ok(1, e2e: 3000, ttft: 100, tokens: 10),   // TPOT 322: too slow; ends at 4 s
            Ok(1, e2e: 900, ttft: 100, tokens: 1),     // one token: TPOT bound holds trivially
            new("target", 2, Outcome.HttpError, 429, "rate_limit_error", 5, null, [], 0, 0, null, null, null),
            new("target", 2, Outcome.Cancelled, 200, null, 50, 40, [], 1, 0, null, null, null),
        ];
        RunSummary s = RunSummary.Of("target", results, Slo.Parse("ttft:500,tpot:150"));
        Assert.Equal(2.0 / 5, s.GoodputFraction);
        Assert.Equal(4, s.DurationSeconds);
        Assert.Equal(2.0 / 4, s.GoodputPerSecond);
        Assert.Equal(4.0 / 4, s.RequestsPerSecond);
        Assert.Equal(31.0 / 4, s.OutputTokensPerSecond);
        Assert.Equal(1, s.Http429);
        Assert.Equal(1, s.Cancelled);
        Assert.Equal(new Dictionary<string, int> { ["429 rate_limit_error"] = 1 }, s.Errors);
        // Cost per 1K tokens: 4 × $0.001 over 4 × 10 prompt + 31 output tokens; per 1K output tokens over 31.
        Assert.Equal(0.004 / 71 * 1000, s.CostPer1KTokensUsd!.Value, 12);
        Assert.Equal(0.004 / 31 * 1000, s.CostPer1KOutputTokensUsd!.Value, 12);
        Assert.Null(s.TokensPerStep);
        Assert.Equal(8, s.ItlMs.Count);
        Assert.Equal([0, 3, 0, 0, 1], s.Timeline.Select(b => b.Completed));
        Assert.Equal([0, 0, 1, 0, 0], s.Timeline.Select(b => b.Errors));
    }

    [Fact]
    public void Tokens_per_step_come_from_usage_when_reported()
    {
        RequestResult r = Ok(0, 100, 10, tokens: 64) with { Steps = 16 };
        Assert.Equal(4, RunSummary.Of("target", [r, r], Slo.None).TokensPerStep);
    }

    [Fact]
    public void Errors_are_keyed_by_status_and_type_and_lost_ones_by_cause()
    {
        RequestResult[] results =
        [
            new("t", 0, Outcome.HttpError, 503, "service_unavailable", 5, null, [], 0, 0, null, null, null, "Timed out in the queue."),
            new("t", 0, Outcome.HttpError, 503, "service_unavailable", 5, null, [], 0, 0, null, null, null, "No server is available."),
            new("t", 0, Outcome.HttpError, 503, "service_unavailable", 5, null, [], 0, 0, null, null, null, "Timed out in the queue."),
            new("t", 0, Outcome.Lost, 200, "server_error", 5, null, [], 0, 0, null, null, null),
            new("t", 0, Outcome.Lost, null, "transport", 5, null, [], 0, 0, null, null, null),
        ];
        RunSummary s = RunSummary.Of("t", results, Slo.None);
        Assert.Equal(new Dictionary<string, int> { ["503 service_unavailable"] = 3, ["lost: server_error"] = 1, ["lost: transport"] = 1 }, s.Errors);
        Assert.Equal(new Dictionary<string, string> { ["503 service_unavailable"] = "Timed out in the queue." }, s.ErrorMessages);
        Assert.Equal((3, 2, 0.0), (s.Http5xx, s.Lost, s.GoodputFraction));
    }

    [Fact]
    public void Slo_parses_names_and_milliseconds_and_rejects_the_rest()
    {
        Assert.Equal(new Slo(500, 50, null), Slo.Parse("ttft:500, tpot:50ms"));
        Assert.Equal("ttft:500,tpot:50", Slo.Parse("ttft:500,tpot:50").ToString());
        Assert.Throws<FormatException>(() => Slo.Parse("latency:5"));
        Assert.Throws<FormatException>(() => Slo.Parse("ttft"));
    }
}
