using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Quicksilver.LoadTest.Arrivals;
using Quicksilver.LoadTest.Client;
using Quicksilver.LoadTest.Prompts;

namespace Quicksilver.LoadTest.Scenarios;

internal enum ArrivalMode
{
    /// <summary>Closed loop: a fixed number of requests in flight, each sent when one finishes.</summary>
    Concurrency,

    /// <summary>Open loop, exponential gaps.</summary>
    Poisson,

    /// <summary>Open loop, gamma gaps (burstiness 1/√shape).</summary>
    Gamma,

    /// <summary>Open loop, Poisson with a rate ramping linearly from <c>--rate</c> to <c>--ramp-to</c>.</summary>
    Ramp,
}

/// <summary>How a run loads its targets.</summary>
/// <param name="HangUpFraction">The fraction of streams cancelled by the client once their first text event arrived.</param>
internal sealed record LoadOptions(
    string Model,
    bool Chat,
    bool Stream,
    int MaxTokens,
    ArrivalMode Arrival,
    double DurationSeconds,
    int Concurrency = 4,
    double Rate = 1,
    double GammaShape = 1,
    double RampTo = 1,
    int Seed = 42,
    double HangUpFraction = 0,
    JsonObject? Extra = null)
{
    public string Path => Chat ? "/v1/chat/completions" : "/v1/completions";
}

/// <summary>Live counts, for the progress line.</summary>
internal sealed class Progress
{
    private int _sent;
    private int _ok;
    private int _errors;
    private int _lost;
    private int _cancelled;

    public int Sent => _sent;

    public override string ToString() =>
        $"sent {_sent}  ok {_ok}  errors {_errors}  lost {_lost}  cancelled {_cancelled}  in flight {_sent - _ok - _errors - _lost - _cancelled}";

    public void OnSent() => Interlocked.Increment(ref _sent);

    public void OnDone(RequestResult r)
    {
        switch (r.Outcome)
        {
            case Outcome.Ok:
                Interlocked.Increment(ref _ok);
                break;
            case Outcome.HttpError:
                Interlocked.Increment(ref _errors);
                break;
            case Outcome.Lost:
                Interlocked.Increment(ref _lost);
                break;
            default:
                Interlocked.Increment(ref _cancelled);
                break;
        }
    }
}

/// <summary>
/// Drives one run: sends requests by the arrival mode for the duration, each to a target drawn at random (seeded)
/// when there are several, and waits for every one of them to finish.
/// </summary>
internal static class LoadRunner
{
    /// <param name="during">Called with the run's start timestamp while it runs (e.g. to kill a pod mid-run).</param>
    public static async Task<IReadOnlyList<RequestResult>> RunAsync(
        LoadClient client, IReadOnlyList<Target> targets, PromptSet prompts, LoadOptions options, Progress progress,
        Func<long, CancellationToken, Task>? during = null, CancellationToken cancellationToken = default)
    {
        var results = new ConcurrentBag<RequestResult>();
        var random = new Random(options.Seed);
        long start = Stopwatch.GetTimestamp();
        int next = 0;
        using var stopDuring = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task sideTask = during?.Invoke(start, stopDuring.Token) ?? Task.CompletedTask;

        // Drawn in index order from the seeded random, so that a run's targets and hang-ups are reproducible.
        (Target Target, bool HangUp) Draw()
        {
            lock (random)
            {
                return (targets[random.Next(targets.Count)], options.HangUpFraction > 0 && random.NextDouble() < options.HangUpFraction);
            }
        }

        async Task SendAsync(int index)
        {
            (Target target, bool hangUp) = Draw();
            progress.OnSent();
            JsonObject body = prompts.Body(index, options.Model, options.Chat, options.Stream, options.MaxTokens, options.Seed, options.Extra);
            RequestResult result = await client.SendAsync(target, options.Path, body, start, hangUp && options.Stream, cancellationToken);
            results.Add(result);
            progress.OnDone(result);
        }

        var inFlight = new List<Task>();
        if (options.Arrival == ArrivalMode.Concurrency)
        {
            inFlight.AddRange(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(async () =>
            {
                while (Stopwatch.GetElapsedTime(start).TotalSeconds < options.DurationSeconds && !cancellationToken.IsCancellationRequested)
                {
                    await SendAsync(Interlocked.Increment(ref next) - 1);
                }
            }, CancellationToken.None)));
        }
        else
        {
            double[] schedule = options.Arrival switch
            {
                ArrivalMode.Poisson => ArrivalSchedule.Poisson(options.Rate, options.DurationSeconds, options.Seed),
                ArrivalMode.Gamma => ArrivalSchedule.Gamma(options.Rate, options.GammaShape, options.DurationSeconds, options.Seed),
                _ => ArrivalSchedule.Ramp(options.Rate, options.RampTo, options.DurationSeconds, options.Seed),
            };
            foreach (double due in schedule)
            {
                TimeSpan wait = TimeSpan.FromSeconds(due) - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                inFlight.Add(SendAsync(next++));
            }
        }

        await Task.WhenAll(inFlight);
        await stopDuring.CancelAsync();
        await sideTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return [.. results.OrderBy(r => r.StartSeconds)];
    }
}
