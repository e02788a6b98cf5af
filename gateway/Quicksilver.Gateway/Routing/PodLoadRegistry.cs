using System.Collections.Concurrent;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// The latest load each pod reported (by its base address), plus the requests this gateway replica sent it since
/// that report — work the report cannot show yet. The balancing policy scores pods with it; the answer limits the
/// pods of a model reported bound what its requests can spend.
/// </summary>
internal sealed class PodLoadRegistry
{
    private readonly ConcurrentDictionary<string, Entry> _pods = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records a report from the pod at <paramref name="address"/>.</summary>
    public void Report(string address, PodLoad load)
    {
        Entry entry = _pods.GetOrAdd(Key(address), _ => new Entry());
        lock (entry)
        {
            entry.Load = load;
            entry.SentSinceReport = 0;
            if (load is { Model: { } model, Limits: { } limits })
            {
                entry.Model = model;
                entry.Limits = limits;
            }
        }
    }

    /// <summary>
    /// The answer limits of <paramref name="model"/>: the largest any of its pods reported (pods of one model share
    /// their settings but during a rollout; a ceiling errs high), or null before one reported them.
    /// </summary>
    public AnswerLimits? LimitsOf(string model)
    {
        AnswerLimits? widest = null;
        foreach (Entry entry in _pods.Values)
        {
            lock (entry)
            {
                if (entry is { Limits: { } limits } && string.Equals(entry.Model, model, StringComparison.Ordinal))
                {
                    widest = widest is null ? limits : new AnswerLimits(
                        Math.Max(widest.MaxTokens, limits.MaxTokens),
                        Math.Max(widest.ChatDefaultMaxTokens, limits.ChatDefaultMaxTokens));
                }
            }
        }

        return widest;
    }

    /// <summary>Notes that a request was just sent to the pod at <paramref name="address"/>.</summary>
    public void Sent(string address)
    {
        Entry entry = _pods.GetOrAdd(Key(address), _ => new Entry());
        lock (entry)
        {
            entry.SentSinceReport++;
        }
    }

    /// <summary>
    /// The pod's score, lower is better: requests waiting plus running as it reported them plus requests sent since;
    /// (0, 0) for a pod that never reported. The second item, its tokens in flight, breaks ties.
    /// </summary>
    public (int Requests, int Tokens, bool Draining) Score(string address)
    {
        if (!_pods.TryGetValue(Key(address), out Entry? entry))
        {
            return (0, 0, false);
        }

        lock (entry)
        {
            return entry.Load is { } load
                ? (load.Waiting + load.Running + entry.SentSinceReport, load.TokensInFlight, load.Draining)
                : (entry.SentSinceReport, 0, false);
        }
    }

    private static string Key(string address) => address.TrimEnd('/');

    private sealed class Entry
    {
        public PodLoad? Load { get; set; }

        public int SentSinceReport { get; set; }

        public string? Model { get; set; }

        public AnswerLimits? Limits { get; set; }
    }
}
