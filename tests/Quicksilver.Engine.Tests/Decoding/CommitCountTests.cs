using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Tests.Decoding;

public sealed class CommitCountTests
{
    [Theory]
    [InlineData(new[] { 0.99, 0.95, 0.91, 0.5 }, 0.9, 3)]
    [InlineData(new[] { 0.6, 0.5 }, 0.9, 1)]           // the top position is always committed
    [InlineData(new[] { 0.95, 0.95, 0.95 }, 0.9, 3)]
    [InlineData(new[] { 0.9, 0.9 }, 0.9, 2)]           // ≥ threshold counts
    public void Of_Threshold_TopPlusEveryConfidentEnough(double[] sorted, double threshold, int expected) =>
        Assert.Equal(expected, CommitCount.Of(CommitRule.Threshold, threshold, scheduled: 1, sorted));

    [Theory]
    // factor 1: thresholds 1 − 1/3 = 0.667 (2nd), 1 − 1/4 = 0.75 (3rd), 1 − 1/5 = 0.8 (4th)
    [InlineData(new[] { 0.9, 0.7, 0.76, 0.81 }, 1.0, 4)]
    [InlineData(new[] { 0.9, 0.7, 0.74, 0.99 }, 1.0, 2)]
    [InlineData(new[] { 0.5, 0.6 }, 2.0, 2)]            // 1 − 2/3 = 0.333 ≤ 0.6
    public void Of_Factor_LongestPrefixAboveOneMinusFactorOverNPlusOne(double[] sorted, double factor, int expected) =>
        Assert.Equal(expected, CommitCount.Of(CommitRule.Factor, factor, scheduled: 1, sorted));

    [Theory]
    [InlineData(new[] { 0.9, 0.5, 0.2 }, 0.5, 1)]  // strictly above s/t
    [InlineData(new[] { 0.9, 0.5, 0.2 }, 0.0, 3)]  // the last step's 0 reveals every row
    [InlineData(new[] { 0.4, 0.3 }, 0.75, 0)]      // unlike the threshold rule, possibly none
    [InlineData(new double[0], 0.5, 0)]
    public void Revealed_OriginDrawsAboveKeepProbability(double[] sortedDraws, double keep, int expected) =>
        Assert.Equal(expected, CommitCount.Revealed(sortedDraws, keep));

    [Fact]
    public void Of_Schedule_TakesScheduledCountCappedByCandidates()
    {
        Assert.Equal(2, CommitCount.Of(CommitRule.Schedule, 0, scheduled: 2, new double[] { 0.1, 0.2, 0.3 }));
        Assert.Equal(1, CommitCount.Of(CommitRule.Schedule, 0, scheduled: 4, new double[] { 0.1 }));
    }
}
