using System.Diagnostics;

namespace Quicksilver.Bench;

/// <summary>Median wall time of repeated runs after one warm-up.</summary>
internal static class Timing
{
    public static double MedianMilliseconds(int repeats, Action run)
    {
        run();
        var samples = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(samples);
        return samples[repeats / 2];
    }
}
