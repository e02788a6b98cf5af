using System.Diagnostics;

namespace Quicksilver.GpuHarness.Parity;

/// <summary>Wall-clock timing of a device call inside a parity check: one warm-up run, then the best of five.</summary>
internal static class BestTime
{
    public static double Milliseconds(Action run)
    {
        run();
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return best;
    }
}
