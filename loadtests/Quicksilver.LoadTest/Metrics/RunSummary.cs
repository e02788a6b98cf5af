using Quicksilver.LoadTest.Client;

namespace Quicksilver.LoadTest.Metrics;

/// <summary>One second of a run: requests that completed in it and their output tokens.</summary>
internal sealed record Bucket(int Second, int Completed, int OutputTokens, int Errors);

/// <summary>
/// A run's numbers. Latencies are over completed requests (<see cref="Outcome.Ok"/>); ITL pools every gap of every
/// stream. Throughputs divide by <see cref="DurationSeconds"/>, from the run's start to the last request's end.
/// Goodput: completed requests meeting every SLO, as a fraction of all requests the run sent (cancelled ones aside)
/// and as a rate. <see cref="ErrorMessages"/>: per error key, the message most of its answers carried (which component
/// answered). Cost per 1K tokens: Σ cost_usd over Σ total (and over Σ completion) tokens of requests that reported it.
/// </summary>
internal sealed record RunSummary(
    string Target,
    int Requests,
    int Completed,
    int Cancelled,
    int Lost,
    int Http5xx,
    int Http429,
    IReadOnlyDictionary<string, int> Errors,
    IReadOnlyDictionary<string, string> ErrorMessages,
    double DurationSeconds,
    double RequestsPerSecond,
    double OutputTokensPerSecond,
    Distribution TtftMs,
    Distribution TpotMs,
    Distribution ItlMs,
    Distribution E2eMs,
    string Slo,
    double GoodputFraction,
    double GoodputPerSecond,
    double? TokensPerStep,
    double? CostPer1KTokensUsd,
    double? CostPer1KOutputTokensUsd,
    IReadOnlyList<Bucket> Timeline)
{
    public static RunSummary Of(string target, IReadOnlyList<RequestResult> results, Slo slo)
    {
        RequestResult[] ok = [.. results.Where(r => r.Outcome == Outcome.Ok)];
        int counted = results.Count(r => r.Outcome != Outcome.Cancelled);
        double duration = results.Count == 0 ? 0 : results.Max(r => r.EndSeconds);
        double Rate(double x) => duration > 0 ? x / duration : 0;
        int outputTokens = ok.Sum(r => r.OutputTokens);
        int met = results.Count(slo.IsMetBy);

        RequestResult[] withSteps = [.. ok.Where(r => r.Steps is > 0)];
        RequestResult[] withCost = [.. ok.Where(r => r.CostUsd is not null)];
        double cost = withCost.Sum(r => r.CostUsd!.Value);
        long tokens = withCost.Sum(r => (long)r.PromptTokens + r.OutputTokens);
        long completion = withCost.Sum(r => (long)r.OutputTokens);

        var timeline = new List<Bucket>();
        for (int second = 0; second <= (int)duration; second++)
        {
            RequestResult[] ending = [.. results.Where(r => (int)r.EndSeconds == second)];
            timeline.Add(new Bucket(second, ending.Count(r => r.Outcome == Outcome.Ok), ending.Where(r => r.Outcome == Outcome.Ok).Sum(r => r.OutputTokens), ending.Count(r => r.ErrorKey is not null)));
        }

        return new RunSummary(
            target,
            results.Count,
            ok.Length,
            results.Count(r => r.Outcome == Outcome.Cancelled),
            results.Count(r => r.Outcome == Outcome.Lost),
            results.Count(r => r.Status is >= 500),
            results.Count(r => r.Status == 429),
            results.Where(r => r.ErrorKey is not null).GroupBy(r => r.ErrorKey!).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            MostCommonMessages(results),
            duration,
            Rate(ok.Length),
            Rate(outputTokens),
            Distribution.Of(ok.Where(r => r.TtftMs is not null).Select(r => r.TtftMs!.Value)),
            Distribution.Of(ok.Where(r => r.TpotMs is not null).Select(r => r.TpotMs!.Value)),
            Distribution.Of(ok.SelectMany(r => r.ItlMs)),
            Distribution.Of(ok.Select(r => r.E2eMs)),
            slo.ToString(),
            counted == 0 ? 0 : (double)met / counted,
            Rate(met),
            withSteps.Length == 0 ? null : (double)withSteps.Sum(r => r.OutputTokens) / withSteps.Sum(r => r.Steps!.Value),
            tokens == 0 ? null : cost / tokens * 1000,
            completion == 0 ? null : cost / completion * 1000,
            timeline);
    }

    private static Dictionary<string, string> MostCommonMessages(IEnumerable<RequestResult> results) =>
        results.Where(r => r.ErrorKey is not null && r.ErrorMessage is not null)
            .GroupBy(r => r.ErrorKey!)
            .ToDictionary(g => g.Key, g => g.GroupBy(r => r.ErrorMessage!).OrderByDescending(m => m.Count()).ThenBy(m => m.Key, StringComparer.Ordinal).First().Key);
}
