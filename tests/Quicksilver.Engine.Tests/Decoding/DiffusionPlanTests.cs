using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Tests.Decoding;

public sealed class DiffusionPlanTests
{
    [Theory]
    [InlineData(32, 32, new[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 })]
    [InlineData(32, 8, new[] { 4, 4, 4, 4, 4, 4, 4, 4 })]
    [InlineData(10, 4, new[] { 3, 3, 2, 2 })]
    [InlineData(3, 5, new[] { 1, 1, 1, 0, 0 })]
    [InlineData(0, 2, new[] { 0, 0 })]
    public void TransferSchedule_MatchesLLaDAGetNumTransferTokens(int masked, int steps, int[] expected) =>
        Assert.Equal(expected, DiffusionPlan.TransferSchedule(masked, steps));

    [Fact]
    public void Create_LLaDADemoSettings_SplitsStepsEvenlyOverBlocks()
    {
        // generate.py's demo: gen_length=128, block_length=32, steps=128 → 4 blocks × 32 steps.
        var plan = DiffusionPlan.Create(answerLength: 128, blockLength: 32, steps: 128);

        Assert.Equal(new[] { 32, 32, 32, 32 }, plan.BlockLengths);
        Assert.Equal(new[] { 32, 32, 32, 32 }, plan.BlockSteps);
    }

    [Fact]
    public void Create_LengthNotMultipleOfBlock_LastBlockShorterStepsProportional()
    {
        var plan = DiffusionPlan.Create(answerLength: 40, blockLength: 16, steps: 20);

        Assert.Equal(new[] { 16, 16, 8 }, plan.BlockLengths);
        Assert.Equal(20, plan.TotalSteps);
        Assert.Equal(new[] { 8, 8, 4 }, plan.BlockSteps);
    }

    [Theory]
    [InlineData(16, 4, 2, 4)]
    [InlineData(64, 32, 1, 2)]
    [InlineData(64, 32, 500, 64)]
    public void Create_StepsOutOfRange_ClampedBetweenBlocksAndLength(int length, int block, int steps, int expectedTotal)
    {
        var plan = DiffusionPlan.Create(length, block, steps);

        Assert.Equal(expectedTotal, plan.TotalSteps);
        Assert.All(plan.BlockSteps.Zip(plan.BlockLengths), pair => Assert.InRange(pair.First, 1, pair.Second));
    }
}
