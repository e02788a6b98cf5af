using Quicksilver.LoadTest.Metrics;

namespace Quicksilver.LoadTest.Tests.Metrics;

public class PercentilesTests
{
    [Fact]
    public void Nearest_rank_is_the_value_of_rank_ceil_p_n()
    {
        double[] tenValues = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(5, Percentiles.NearestRank(tenValues, 50));   // ⌈5⌉ = 5th
        Assert.Equal(9, Percentiles.NearestRank(tenValues, 90));   // ⌈9⌉ = 9th
        Assert.Equal(10, Percentiles.NearestRank(tenValues, 99));  // ⌈9.9⌉ = 10th
        Assert.Equal(6, Percentiles.NearestRank(tenValues, 51));   // ⌈5.1⌉ = 6th: no interpolation
        Assert.Equal(1, Percentiles.NearestRank(tenValues, 0));
        Assert.Equal(10, Percentiles.NearestRank(tenValues, 100));
        Assert.Equal(7, Percentiles.NearestRank([7], 99));
    }

    [Fact]
    public void Distribution_sorts_and_reports_mean_p50_p90_p99_max()
    {
        Distribution d = Distribution.Of(Enumerable.Range(1, 200).Select(i => (double)(201 - i)));
        Assert.Equal((200, 100.5, 100.0, 180.0, 198.0, 200.0), (d.Count, d.Mean, d.P50, d.P90, d.P99, d.Max));
        Assert.Equal(0, Distribution.Of([]).Count);
        Assert.True(double.IsNaN(Distribution.Of([]).P50));
    }
}
