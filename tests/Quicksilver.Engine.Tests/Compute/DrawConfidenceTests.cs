using Quicksilver.Engine.Compute.Cpu;

namespace Quicksilver.Engine.Compute.Tests;

/// <summary>
/// Dream's confidences (<see cref="RowSampling.ScoresTheDrawDistribution"/>) through <see cref="CpuBackend.ScoreLogits"/>,
/// against Dream's <c>sample_tokens</c> written out naively here: <c>logits / T</c> (no division when greedy), every
/// candidate ranked, top-p then top-k, <c>softmax</c> over the kept tokens; <c>p[x0]</c>, <c>p[0] − p[1]</c> of the
/// sorted probabilities and <c>Σ p log p</c>. Within 1e-6, the entropy 1e-5 (fp32 results of double sums).
/// </summary>
public sealed class DrawConfidenceTests : IDisposable
{
    private const double Tolerance = 1e-6;
    private static readonly double[] Probabilities = [0.4, 0.25, 0.15, 0.1, 0.06, 0.04];
    private readonly CpuBackend _backend = new(new CpuBackendOptions { Threads = 2 });

    public void Dispose() => _backend.Dispose();

    [Theory]
    [InlineData(0.5f, 1.0, 0)]
    [InlineData(2f, 1.0, 0)]
    [InlineData(0.5f, 0.75, 0)]
    [InlineData(1f, 0.75, 0)]
    [InlineData(1.5f, 1.0, 3)]
    [InlineData(0.7f, 0.9, 2)]
    [InlineData(0f, 0.5, 0)]
    [InlineData(0f, 1.0, 1)]
    public void ScoreLogits_DrawConfidences_AreDreamsSampleTokensConfidences(float temperature, double topP, int topK)
    {
        float[] logits = Logits();
        var sampling = new RowSampling(temperature, 7, 3, topP, topK, ConfidenceFromDraw: true);

        TokenScore score = Score(logits, [sampling], suppressedToken: -1)[0];

        AssertDreamConfidences(logits, sampling, -1, score);
        Assert.Equal(Math.Log(Probabilities[score.Token]), score.LogProbability, 5);
    }

    [Fact]
    public void ScoreLogits_DrawConfidences_AtDreamsLowTemperature_RankByEntropyOtherwiseThanThePlainSoftmax()
    {
        // A: 0.5 on one token and 0.01 on each of 50 others; B: 0.5 on each of two. Under softmax(logits) B is the surer
        // (Σ p log p −0.69 against A's −2.65); at Dream's demo temperature 0.2 A's tail vanishes (weights p⁵) and A is
        // nearly one-hot, while B stays at ln ½.
        float[] a = [.. Enumerable.Range(0, 51).Select(v => (float)Math.Log(v == 0 ? 0.5 : 0.01))];
        float[] b = [.. Enumerable.Range(0, 51).Select(v => (float)Math.Log(v < 2 ? 0.5 : 1e-12))];
        RowSampling dream = new(0.2f, 1, 1, ConfidenceFromDraw: true), llada = dream with { ConfidenceFromDraw = false };

        TokenScore[] plain = Score([.. a, .. b], [llada, llada with { Counter = 2 }], -1);
        TokenScore[] tempered = Score([.. a, .. b], [dream, dream with { Counter = 2 }], -1);

        Assert.True(plain[0].NegativeEntropy < plain[1].NegativeEntropy, $"plain: A {plain[0].NegativeEntropy}, B {plain[1].NegativeEntropy}");
        Assert.True(tempered[0].NegativeEntropy > tempered[1].NegativeEntropy, $"T = 0.2: A {tempered[0].NegativeEntropy}, B {tempered[1].NegativeEntropy}");
        Assert.Equal(plain[0].LogProbability, tempered[0].LogProbability);
    }

    [Fact]
    public void ScoreLogits_DrawConfidences_SuppressedTokenOutsideTheDistribution()
    {
        float[] logits = Logits();
        var sampling = new RowSampling(0.8f, 5, 9, 0.7, 0, ConfidenceFromDraw: true);

        TokenScore score = Score(logits, [sampling], suppressedToken: 0)[0];

        Assert.NotEqual(0, score.Token);
        AssertDreamConfidences(logits, sampling, 0, score);
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(0f)]
    public void ScoreLogits_DrawConfidences_WhereTheDistributionIsThePlainSoftmax_SameScoreAsLLaDAs(float temperature)
    {
        float[] logits = Logits();
        var dream = new RowSampling(temperature, 11, 2, ConfidenceFromDraw: true);

        Assert.False(dream.ScoresTheDrawDistribution);
        Assert.Equal(Score(logits, [dream with { ConfidenceFromDraw = false }], 5)[0], Score(logits, [dream], 5)[0]);
    }

    [Fact]
    public void ScoreLogits_DrawConfidences_LargeVocabulary_MatchTheNaiveDefinition()
    {
        var random = new Random(11);
        const int vocab = 3000, suppressed = 5;
        for (int c = 0; c < 60; c++)
        {
            float[] logits = [.. Enumerable.Range(0, vocab).Select(_ => (float)(random.NextDouble() * 12) - (random.Next(4) == 0 ? 0 : 6))];
            var sampling = new RowSampling(
                random.Next(4) == 0 ? 0f : (float)(0.2 + (random.NextDouble() * 2)),
                (ulong)c,
                (ulong)random.Next(),
                random.Next(3) == 0 ? 1 : 0.05 + (random.NextDouble() * 0.9),
                random.Next(3) == 0 ? 0 : random.Next(1, 2 * vocab),
                ConfidenceFromDraw: true);
            if (!sampling.ScoresTheDrawDistribution)
            {
                continue;
            }

            AssertDreamConfidences(logits, sampling, suppressed, Score(logits, [sampling], suppressed)[0]);
        }
    }

    /// <summary>Dream's <c>sample_tokens</c> distribution over the candidates, naively: token → probability (0 outside the kept set).</summary>
    private static double[] DreamDistribution(float[] logits, RowSampling sampling, int suppressedToken)
    {
        double t = sampling.Temperature > 0 ? sampling.Temperature : 1;
        int[] ranked = [.. Enumerable.Range(0, logits.Length).Where(v => v != suppressedToken).OrderByDescending(v => logits[v]).ThenBy(v => v)];
        double[] weights = [.. logits.Select((x, v) => v == suppressedToken ? 0 : Math.Exp((x - logits[ranked[0]]) / t))];
        double total = weights.Sum();
        int kept = 0;
        for (double mass = 0; kept < ranked.Length && (kept == 0 || mass < sampling.TopP * total || sampling.TopP >= 1); kept++)
        {
            mass += weights[ranked[kept]];
        }

        kept = sampling.TopK > 0 ? Math.Min(kept, sampling.TopK) : kept;
        var keptSet = ranked.Take(kept).ToHashSet();
        double keptMass = keptSet.Sum(v => weights[v]);
        return [.. weights.Select((w, v) => keptSet.Contains(v) ? w / keptMass : 0)];
    }

    private static void AssertDreamConfidences(float[] logits, RowSampling sampling, int suppressedToken, TokenScore score)
    {
        double[] p = DreamDistribution(logits, sampling, suppressedToken);
        double[] sorted = [.. p.OrderDescending()];
        string row = $"{sampling}, token {score.Token}";
        Assert.True(p[score.Token] > 0, $"{row}: drew a token outside the kept set");
        Assert.True(Math.Abs(p[score.Token] - score.Probability) <= Tolerance, $"{row}: p {score.Probability}, Dream {p[score.Token]}");
        Assert.True(Math.Abs(sorted[0] - sorted[1] - score.Margin) <= Tolerance, $"{row}: margin {score.Margin}, Dream {sorted[0] - sorted[1]}");
        double negativeEntropy = p.Where(x => x > 0).Sum(x => x * Math.Log(x));
        Assert.True(Math.Abs(negativeEntropy - score.NegativeEntropy) <= 1e-5, $"{row}: Σ p log p {score.NegativeEntropy}, Dream {negativeEntropy}");
    }

    private static float[] Logits() => [.. Probabilities.Select(p => (float)Math.Log(p))];

    private TokenScore[] Score(float[] logits, RowSampling[] sampling, int suppressedToken) => ScoredRows.Of(_backend, logits, sampling, suppressedToken);
}
