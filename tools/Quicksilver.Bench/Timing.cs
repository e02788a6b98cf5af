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
}
