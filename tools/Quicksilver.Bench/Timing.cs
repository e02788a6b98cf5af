using System.Diagnostics;

namespace Quicksilver.Bench;

/// <summary>
/// Median wall time of repeated runs after three warm-ups (the first calls of a .NET process run tier-0 code and
/// ramp up the thread pool; measured here: the tiny model's step read 82 ms over 3 runs, 33 ms over 30). Repeats
/// until <c>maxRepeats</c> samples or the time budget, whichever comes first, with at least three samples.
/// </summary>
internal static class Timing
{
    private const int WarmUps = 3;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    public static double MedianMilliseconds(int maxRepeats, Action run)
    {
        for (int i = 0; i < WarmUps; i++)
        {
            run();
        }

        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        while (samples.Count < Math.Max(3, maxRepeats) && (samples.Count < 3 || total.Elapsed < Budget))
        {
            long start = Stopwatch.GetTimestamp();
            run();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        samples.Sort();
        return samples[samples.Count / 2];
    }

    /// <summary>
    /// Medians of two runs measured alternately, round by round, after warm-ups of both: whatever the machine or the
    /// JIT does meanwhile hits both alike, so their ratio is fair even where their absolute times drift.
    /// </summary>
    public static (double First, double Second) AlternateMedians(int rounds, Action first, Action second, int warmUps = WarmUps)
    {
        for (int i = 0; i < warmUps; i++)
        {
            first();
            second();
        }

        var a = new double[rounds];
        var b = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            a[r] = Milliseconds(first);
            b[r] = Milliseconds(second);
        }

        Array.Sort(a);
        Array.Sort(b);
        return (a[rounds / 2], b[rounds / 2]);
    }

    private static double Milliseconds(Action run)
    {
        long start = Stopwatch.GetTimestamp();
        run();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
