namespace Quicksilver.LoadTest.Metrics;

/// <summary>Mean and nearest-rank percentiles of a sample (milliseconds or any unit).</summary>
/// <param name="Count">Values in the sample.</param>
internal sealed record Distribution(int Count, double Mean, double P50, double P90, double P99, double Max)
{
    public static Distribution Empty { get; } = new(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    public static Distribution Of(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length == 0
            ? Empty
            : new Distribution(sorted.Length, sorted.Average(), Percentiles.NearestRank(sorted, 50), Percentiles.NearestRank(sorted, 90), Percentiles.NearestRank(sorted, 99), sorted[^1]);
    }
}

internal static class Percentiles
{
    /// <summary>
    /// The nearest-rank percentile: the smallest value such that at least <paramref name="percent"/>% of the sample is
    /// at or below it, i.e. the value of rank ⌈p/100 · N⌉ (1-based) in ascending order; p = 0 gives the minimum. No
    /// interpolation, so it is always an observed value.
    /// </summary>
    public static double NearestRank(IReadOnlyList<double> ascending, double percent)
    {
        ArgumentOutOfRangeException.ThrowIfZero(ascending.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        int rank = (int)Math.Ceiling(percent / 100 * ascending.Count);
        return ascending[Math.Clamp(rank, 1, ascending.Count) - 1];
    }
}
