using Quicksilver.Engine.Metering;

namespace Quicksilver.Engine.Tests.Metering;

public sealed class StepTimeSplitTests
{
    [Fact]
    public void ByTokens_TwoCanvasesOfDifferentLengths_SharesProportionalToTokens()
    {
        TimeSpan[] shares = StepTimeSplit.ByTokens(TimeSpan.FromMilliseconds(1), [20, 44]);

        Assert.Equal([TimeSpan.FromTicks(3125), TimeSpan.FromTicks(6875)], shares);
    }

    [Fact]
    public void ByTokens_OneSequence_GetsTheWholeStep()
    {
        TimeSpan step = TimeSpan.FromTicks(12_345);

        Assert.Equal([step], StepTimeSplit.ByTokens(step, [7]));
    }

    [Fact]
    public void ByTokens_AnyBatch_SharesSumExactlyToTheStepAndEachIsWithinATickOfItsPart()
    {
        var random = new Random(17);
        for (int trial = 0; trial < 1000; trial++)
        {
            int[] tokens = [.. Enumerable.Range(0, random.Next(1, 40)).Select(_ => random.Next(1, 4096))];
            var step = TimeSpan.FromTicks(random.NextInt64(0, TimeSpan.TicksPerMinute));

            TimeSpan[] shares = StepTimeSplit.ByTokens(step, tokens);

            Assert.Equal(step.Ticks, shares.Sum(s => s.Ticks));
            double total = tokens.Sum();
            for (int i = 0; i < tokens.Length - 1; i++)
            {
                Assert.InRange(step.Ticks * (tokens[i] / total) - shares[i].Ticks, -1e-6, 1.000001);
            }

            // The last share takes the remainder: under one tick per sequence more than its part.
            Assert.InRange(shares[^1].Ticks - (step.Ticks * (tokens[^1] / total)), -1e-6, tokens.Length);
        }
    }
}
