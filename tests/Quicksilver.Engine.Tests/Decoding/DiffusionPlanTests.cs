using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;

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

    // Dream's _sample (generation_utils.py; alg maskgit_plus, topk_margin, entropy): ts = torch.linspace(1, 1e-3, steps + 1);
    // step i commits int(n_i * (1 - ts[i+1] / ts[i])) of the n_i masks left (n_0 = masked), the last step n_i. Expected
    // counts from a reimplementation of that formula in Python with every operation rounded to fp32 (struct 'f'),
    // torch's default dtype; the same formula in double gives the same counts for these pairs.
    [Theory]
    [InlineData(8, 8, new[] { 0, 1, 1, 1, 1, 1, 1, 2 })]
    [InlineData(8, 4, new[] { 1, 2, 2, 3 })]
    [InlineData(16, 5, new[] { 3, 3, 3, 3, 4 })]
    [InlineData(12, 7, new[] { 1, 1, 1, 2, 2, 2, 3 })]
    [InlineData(32, 8, new[] { 3, 4, 4, 4, 4, 4, 4, 5 })]
    [InlineData(64, 16, new[] { 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5 })]
    [InlineData(100, 30, new[] { 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5 })]
    [InlineData(3, 5, new[] { 0, 0, 0, 1, 2 })]
    [InlineData(5, 1, new[] { 5 })]
    public void DreamTimestepSchedule_MatchesDreamSampleCounts(int masked, int steps, int[] expected) =>
        Assert.Equal(expected, DreamTimestepSchedule.Counts(masked, steps, DiffusionPlan.DefaultEps));

    // The same reimplementation (fp32 throughout) with other values of generation_config.json's eps. A larger eps ends
    // the schedule earlier, so more masks are left for the last step. Rows marked * differ from the same formula in
    // double (8/4/0.5: 1, 1, 0, 6; 100/30/0.1: 3, 3, 2, …): the counts follow the reference's fp32 arithmetic.
    [Theory]
    [InlineData(8, 4, 0.5, new[] { 1, 0, 1, 6 })] // *
    [InlineData(16, 5, 0.5, new[] { 1, 1, 1, 1, 12 })]
    [InlineData(12, 7, 0.5, new[] { 0, 0, 1, 0, 1, 1, 9 })]
    [InlineData(8, 8, 0.5, new[] { 0, 0, 0, 0, 0, 0, 0, 8 })]
    [InlineData(16, 5, 0.1, new[] { 2, 3, 3, 3, 5 })]
    [InlineData(32, 8, 0.1, new[] { 3, 3, 3, 3, 4, 4, 4, 8 })]
    [InlineData(100, 30, 0.1, new[] { 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 14 })] // *
    public void DreamTimestepSchedule_OtherEps_MatchesDreamSampleCounts(int masked, int steps, double eps, int[] expected)
    {
        Assert.Equal(expected, DreamTimestepSchedule.Counts(masked, steps, eps));
        Assert.NotEqual(DreamTimestepSchedule.Counts(masked, steps, DiffusionPlan.DefaultEps), expected);
    }

    [Fact]
    public void DreamTimestepSchedule_KeepProbabilities_SOverTThenZero()
    {
        // linspace(1, 0.5, 5) = 1, 0.875, 0.75, 0.625, 0.5, exact in fp32: s/t of steps 0–2, and 0 for the last step.
        Assert.Equal(new[] { 0.875f, 0.75f / 0.875f, 0.625f / 0.75f, 0f }, DreamTimestepSchedule.KeepProbabilities(4, 0.5));
    }

    [Fact]
    public void DreamTimestepSchedule_1024MasksIn1023Steps_FirstStepCommitsOneInFp32()
    {
        // 1024 · (1 − ts[1]/ts[0]) = 1024 · 0.999/1023 = 0.99997… in exact arithmetic (and in double: 0 tokens), but the
        // reference computes in fp32, where the product rounds to 1.0: one token, as here.
        Assert.Equal(1, DreamTimestepSchedule.Counts(1024, 1023, DiffusionPlan.DefaultEps)[0]);
    }

    [Fact]
    public void BlockSchedule_DreamFamily_TimestepCountsPerBlock()
    {
        // 20 masks in blocks of 8, 8 and 4 with 10 steps (4, 4, 2): each block runs Dream's schedule over its own masks.
        var plan = DiffusionPlan.Create(answerLength: 20, blockLength: 8, steps: 10, ModelArchitecture.Dream);

        Assert.Equal(new[] { 1, 2, 2, 3 }, plan.BlockSchedule(0));
        Assert.Equal(new[] { 1, 2, 2, 3 }, plan.BlockSchedule(1));
        Assert.Equal(new[] { 1, 3 }, plan.BlockSchedule(2));
        Assert.Equal(new[] { 2, 2, 2, 2 }, DiffusionPlan.Create(20, 8, 10).BlockSchedule(0));
    }

    [Fact]
    public void BlockSchedule_DreamFamilyWithEps_TimestepCountsAtThatEps()
    {
        // As above with eps 0.5 (a generation_config.json's): blocks of 8 in 4 steps commit 1, 0, 1, 6, not 1, 2, 2, 3.
        var plan = DiffusionPlan.Create(answerLength: 20, blockLength: 8, steps: 10, ModelArchitecture.Dream, eps: 0.5);

        Assert.Equal(0.5, plan.Eps);
        Assert.Equal(new[] { 1, 0, 1, 6 }, plan.BlockSchedule(0));
        Assert.Equal(DreamTimestepSchedule.KeepProbabilities(4, 0.5), plan.KeepProbabilities(1));
        Assert.Equal(new[] { 2, 2, 2, 2 }, DiffusionPlan.Create(20, 8, 10, ModelArchitecture.LLaDA, eps: 0.5).BlockSchedule(0));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Create_EpsOutsideZeroOne_Throws(double eps) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DiffusionPlan.Create(8, 8, 4, ModelArchitecture.Dream, eps));

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

    [Theory]
    [InlineData(20, 8, 3, new[] { 3, 8, 8, 1 })]
    [InlineData(20, 8, 0, new[] { 8, 8, 4 })]
    [InlineData(2, 8, 3, new[] { 2 })]
    [InlineData(16, 4, 4, new[] { 4, 4, 4, 4 })]
    public void Create_LeadingBlock_ComesFirstAndTheRestFollowInWholeBlocks(int answer, int block, int leading, int[] expected)
    {
        DiffusionPlan plan = DiffusionPlan.Create(new DecodingBlocks(block, leading), answer, steps: answer);

        Assert.Equal(expected, plan.BlockLengths);
        Assert.Equal(expected, plan.BlockSteps);
    }
}
