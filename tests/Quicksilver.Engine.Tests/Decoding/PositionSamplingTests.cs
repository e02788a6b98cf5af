using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Tests.Decoding;

/// <summary>
/// Dream's <c>alg_temp</c> in <see cref="CommitSelection.Select"/> (<see cref="CommitPolicy.SamplesPositions"/>): the
/// committed rows are a sample without replacement from <c>softmax(confidence / alg_temp)</c>. Frequencies over
/// <see cref="Seeds"/> seeds must lie within 5σ (σ = √(p(1−p)/N)) of the exact probabilities.
/// </summary>
public sealed class PositionSamplingTests
{
    private const int Seeds = 20000;
    private const double Sigmas = 5;
    private static readonly float[] Confidences = [0.9f, 0.6f, 0.3f, 0.1f];
    private static readonly int[] Positions = [12, 10, 11, 13];

    [Fact]
    public void Select_AlgTemp_InclusionFrequenciesMatchSamplingWithoutReplacement()
    {
        const double algTemp = 0.5;
        double[] w = [.. Confidences.Select(c => Math.Exp(c / algTemp))];
        double total = w.Sum();
        var included = new int[w.Length];
        var first = new int[w.Length];
        for (int seed = 0; seed < Seeds; seed++)
        {
            int[] picks = Pick(Policy(algTemp, (ulong)seed), scheduled: 2);
            first[picks[0]]++;
            foreach (int row in picks)
            {
                included[row]++;
            }
        }

        for (int i = 0; i < w.Length; i++)
        {
            // P(i in a sample of 2) = P(i first) + Σ_j P(j first) · P(i second | j first).
            double exact = (w[i] / total) + w.Select((wj, j) => j == i ? 0 : wj / total * (w[i] / (total - wj))).Sum();
            AssertWithin(included[i], exact, $"row {i} included");
            AssertWithin(first[i], w[i] / total, $"row {i} first");
        }
    }

    [Fact]
    public void Select_AlgTemp_SameSeedAndStepSamePicksAndAnotherStepOthers()
    {
        CommitPolicy policy = Policy(1.0, seed: 5);
        int[] picks = Pick(policy, scheduled: 2);

        Assert.Equal(picks, Pick(policy, scheduled: 2));
        Assert.Contains(Enumerable.Range(1, 50), step => !Pick(policy with { Step = step }, scheduled: 2).SequenceEqual(picks));
    }

    [Fact]
    public void Select_AlgTempTowardsZero_EqualsTopK()
    {
        for (ulong seed = 0; seed < 200; seed++)
        {
            Assert.Equal(Pick(Policy(0, seed), scheduled: 3), Pick(Policy(1e-9, seed), scheduled: 3));
        }
    }

    [Theory]
    [InlineData(RemaskingStrategy.Random)]
    [InlineData(RemaskingStrategy.Origin)]
    public void Select_RandomOrOrigin_IgnoreAlgTemp(RemaskingStrategy remasking)
    {
        CommitPolicy policy = Policy(0, seed: 9) with { Remasking = remasking, KeepProbability = 0.5 };

        Assert.False((policy with { AlgorithmTemperature = 2 }).SamplesPositions);
        Assert.Equal(Pick(policy, scheduled: 2), Pick(policy with { AlgorithmTemperature = 2 }, scheduled: 2));
    }

    [Fact]
    public void Select_AlgTempWithThreshold_TheRuleCountsAndTheSampleChooses()
    {
        // Threshold 0.5 commits two rows (0.9 and 0.6); with alg_temp the two are sampled, so over seeds every row appears.
        CommitPolicy policy = Policy(1.0, seed: 0) with { Rule = CommitRule.Threshold, Parameter = 0.5 };
        var seen = new HashSet<int>();
        for (ulong seed = 0; seed < 500; seed++)
        {
            int[] picks = Pick(policy with { Seed = seed }, scheduled: 0);
            Assert.Equal(2, picks.Length);
            seen.UnionWith(picks);
        }

        Assert.Equal(4, seen.Count);
    }

    [Fact]
    public void Select_NegativeOrInfiniteAlgTemp_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pick(Policy(-0.5, 1), 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pick(Policy(double.PositiveInfinity, 1), 2));
    }

    private static CommitPolicy Policy(double algTemp, ulong seed) =>
        new(RemaskingStrategy.LowConfidence, CommitRule.Schedule, 0, 0, seed, Step: 3, AlgorithmTemperature: algTemp);

    private static int[] Pick(CommitPolicy policy, int scheduled)
    {
        TokenScore[] scores = [.. Confidences.Select(p => new TokenScore(1, p, MathF.Log(p), 0, 0))];
        var chosen = new int[scores.Length];
        int count = CommitSelection.Select(scores, Positions, policy with { Scheduled = scheduled }, chosen);
        return chosen[..count];
    }

    private static void AssertWithin(int hits, double p, string what)
    {
        double frequency = hits / (double)Seeds, sigma = Math.Sqrt(p * (1 - p) / Seeds);
        Assert.True(Math.Abs(frequency - p) <= Sigmas * sigma, $"{what}: {frequency:F4}, expected {p:F4} ± {Sigmas}σ ({Sigmas * sigma:F4})");
    }
}
