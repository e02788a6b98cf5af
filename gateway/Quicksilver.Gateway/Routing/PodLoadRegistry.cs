using System.Collections.Concurrent;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// The latest load each pod reported (by its base address), plus the requests this gateway replica sent it since
/// that report — work the report cannot show yet. The balancing policy scores pods with it; the answer limits the
/// pods of a model reported bound what its requests can spend. It also keeps when each pod was last heard from (any
/// answer to a load poll, or a load piggy-backed on an answer), from which the <see cref="PodLoadPoller"/> tells a
/// hung pod.
/// </summary>
internal sealed class PodLoadRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _pods = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records a report from the pod at <paramref name="address"/>.</summary>
    public void Report(string address, PodLoad load)
    {
        Entry entry = EntryOf(address);
        lock (entry)
        {
            entry.LastHeard = entry.LastAnswered = time.GetTimestamp();
            entry.Load = load;
            entry.SentSinceReport = 0;
            if (load.Limits is { } limits)
            {
                entry.Limits = limits;
            }
        }
    }

    /// <summary>
    /// The answer limits of the pods at <paramref name="addresses"/> (one model's, as the gateway routes it now): the
    /// largest any of them reported (pods of one model share their settings but during a rollout; a ceiling errs
    /// high), or null before one reported them.
    /// </summary>
    public AnswerLimits? LimitsOf(IEnumerable<string> addresses)
    {
        AnswerLimits? widest = null;
        foreach (string address in addresses)
        {
            if (!_pods.TryGetValue(Key(address), out Entry? entry))
            {
                continue;
            }

            lock (entry)
            {
                if (entry.Limits is { } limits)
                {
                    widest = widest is null ? limits : new AnswerLimits(
                        Math.Max(widest.MaxTokens, limits.MaxTokens),
                        Math.Max(widest.ChatDefaultMaxTokens, limits.ChatDefaultMaxTokens));
                }
            }
        }

        return widest;
    }

    /// <summary>
    /// Forgets every pod but those at <paramref name="addresses"/> (pods come and go behind a headless Service); a pod new
    /// to them counts as heard from now, so that its silence starts when it is first routed to.
    /// </summary>
    public void Retain(IEnumerable<string> addresses)
    {
        var current = new HashSet<string>(addresses.Select(Key), StringComparer.OrdinalIgnoreCase);
        foreach (string address in _pods.Keys.Where(address => !current.Contains(address)))
        {
            _pods.TryRemove(address, out _);
        }

        foreach (string address in current)
        {
            EntryOf(address);
        }
    }

    /// <summary>
    /// Notes that the pod at <paramref name="address"/> answered (whatever it said); returns whether it had been taken
    /// for hung (<see cref="MarkHung"/>) until now.
    /// </summary>
    public bool Heard(string address)
    {
        Entry entry = EntryOf(address);
        lock (entry)
        {
            entry.LastHeard = entry.LastAnswered = time.GetTimestamp();
            bool wasHung = entry.Hung;
            entry.Hung = false;
            return wasHung;
        }
    }

    /// <summary>How long since the pod at <paramref name="address"/> was last heard from (or first routed to).</summary>
    public TimeSpan SilenceOf(string address)
    {
        Entry entry = EntryOf(address);
        lock (entry)
        {
            return time.GetElapsedTime(entry.LastHeard);
        }
    }

    /// <summary>Whether the pod at <paramref name="address"/> answered within <paramref name="window"/> (being routed to is no answer).</summary>
    public bool AnsweredWithin(string address, TimeSpan window)
    {
        Entry entry = EntryOf(address);
        lock (entry)
        {
            return entry.LastAnswered != 0 && time.GetElapsedTime(entry.LastAnswered) <= window;
        }
    }

    /// <summary>Whether the pod at <paramref name="address"/> is taken for hung (<see cref="MarkHung"/>) and not heard from since.</summary>
    public bool IsHung(string address)
    {
        Entry entry = EntryOf(address);
        lock (entry)
        {
            return entry.Hung;
        }
    }

    /// <summary>Notes that the pod at <paramref name="address"/> is taken for hung; returns whether it was not already.</summary>
    public bool MarkHung(string address)
    {
        Entry entry = EntryOf(address);
        lock (entry)
        {
            bool newly = !entry.Hung;
            entry.Hung = true;
            return newly;
        }
    }

    /// <summary>Notes that a request was just sent to the pod at <paramref name="address"/>.</summary>
    public void Sent(string address)
    {
        Entry entry = EntryOf(address);
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

    private Entry EntryOf(string address) => _pods.GetOrAdd(Key(address), static (_, now) => new Entry { LastHeard = now }, time.GetTimestamp());

    private static string Key(string address) => address.TrimEnd('/');

    private sealed class Entry
    {
        /// <summary>When the pod last answered, or was first routed to: its silence starts there.</summary>
        public long LastHeard { get; set; }

        /// <summary>When the pod last answered; 0 before it did.</summary>
        public long LastAnswered { get; set; }

        public bool Hung { get; set; }

        public PodLoad? Load { get; set; }

        public int SentSinceReport { get; set; }

        public AnswerLimits? Limits { get; set; }
    }
}
