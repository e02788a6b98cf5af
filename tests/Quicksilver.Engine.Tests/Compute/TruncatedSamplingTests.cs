using Quicksilver.Engine.Compute.Cpu;

namespace Quicksilver.Engine.Compute.Tests;

/// <summary>
/// Top-p and top-k in the token draw (<see cref="RowSampling.Truncates"/>, <see cref="TruncatedSampler"/>), through
/// <see cref="CpuBackend.ScoreLogits"/>: N rows of the same logits, row i drawn with counter i. Frequencies must lie
/// within 5σ (σ = √(p(1−p)/N)) of the truncated, renormalised <c>softmax(logits/T)</c>; tokens outside it never appear.
/// </summary>
public sealed class TruncatedSamplingTests : IDisposable
{
    private const int Draws = 20000;
    private const double Sigmas = 5;
    private static readonly double[] Probabilities = [0.4, 0.25, 0.15, 0.1, 0.06, 0.04];
    private readonly CpuBackend _backend = new(new CpuBackendOptions { Threads = 2 });

    public void Dispose() => _backend.Dispose();

    [Fact]
    public void ScoreLogits_TopP_DrawsFromTheSmallestNucleusWithEnoughMass()
    {
        // Cumulative mass 0.4, 0.65, 0.80: top_p 0.75 keeps three tokens.
        AssertFrequencies(Draw(temperature: 1f, topP: 0.75, topK: 0), [0.4 / 0.8, 0.25 / 0.8, 0.15 / 0.8, 0, 0, 0]);
    }

    [Fact]
    public void ScoreLogits_TopPThenTopK_KeepsTheShorterPrefix()
    {
        AssertFrequencies(Draw(temperature: 1f, topP: 0.75, topK: 2), [0.4 / 0.65, 0.25 / 0.65, 0, 0, 0, 0]);
        AssertFrequencies(Draw(temperature: 1f, topP: 1, topK: 1), [1, 0, 0, 0, 0, 0]);
    }

    [Fact]
    public void ScoreLogits_TopP_MeasuresTheNucleusAfterTheTemperature()
    {
        // At T = 2 the weights are √p: cumulative 0.277, 0.496, 0.666, so top_p 0.6 keeps three tokens (at T = 1, two).
        double[] weights = [.. Probabilities.Select(Math.Sqrt)];
        double total = weights.Sum(), kept = weights.Take(3).Sum();
        AssertFrequencies(Draw(temperature: 2f, topP: 0.6, topK: 0), [.. weights.Select((w, i) => i < 3 ? w / kept : 0)]);
        Assert.True(weights.Take(2).Sum() / total < 0.6);
    }

    [Fact]
    public void ScoreLogits_SuppressedToken_NeverDrawnAndOutsideTheNucleusMass()
    {
        // Without token 0 the candidates' mass is 0.6: 0.25 and 0.15 make 0.667 of it, so top_p 0.6 keeps tokens 1 and 2.
        int[] tokens = Draw(temperature: 1f, topP: 0.6, topK: 0, suppressedToken: 0);
        AssertFrequencies(tokens, [0, 0.25 / 0.4, 0.15 / 0.4, 0, 0, 0]);
    }

    [Fact]
    public void ScoreLogits_TruncationKeepingEveryToken_SameDrawsAsPlainGumbelMax()
    {
        Assert.Equal(Draw(temperature: 0.8f, topP: 1, topK: 0), Draw(temperature: 0.8f, topP: 1, topK: Probabilities.Length));
    }

    [Fact]
    public void ScoreLogits_Greedy_IgnoresTopPAndTopK()
    {
        Assert.All(Draw(temperature: 0f, topP: 0.1, topK: 3), token => Assert.Equal(0, token));
    }

    [Fact]
    public void ScoreLogits_Truncated_ConfidencesStayThoseOfTheUntruncatedSoftmax()
    {
        float[] logits = Logits();
        RowSampling truncated = new(1.5f, 3, 11, TopP: 0.5, TopK: 2), plain = truncated with { TopP = 1, TopK = 0, Temperature = 0f };
        TokenScore[] scores = Score([.. logits, .. logits], [truncated, plain], -1);
        double expected = Probabilities[scores[0].Token];

        Assert.Equal(expected, scores[0].Probability, 5);
        Assert.Equal(Math.Log(expected), scores[0].LogProbability, 5);
        Assert.Equal(scores[1].Margin, scores[0].Margin);
        Assert.Equal(scores[1].NegativeEntropy, scores[0].NegativeEntropy);
    }

    [Fact]
    public void ScoreLogits_Truncated_SameTokenAloneAsInABatchAndForTheSameCounter()
    {
        float[] logits = Logits();
        var sampling = new RowSampling(1f, 42, 7, TopP: 0.9, TopK: 4);
        TokenScore alone = Score(logits, [sampling], -1)[0];
        TokenScore[] batch = Score([.. logits, .. logits, .. logits], [sampling with { Counter = 1 }, sampling, sampling with { Seed = 43 }], -1);

        Assert.Equal(alone, batch[1]);
        Assert.Equal(alone, Score(logits, [sampling], -1)[0]);
    }

    [Fact]
    public void ScoreLogits_LargeVocabulary_SameDrawAsRankingEveryToken()
    {
        // The sampler ranks only the head of the vocabulary when that holds the kept tokens; over random rows, settings
        // and counters it must draw what a full ranking draws.
        var random = new Random(7);
        const int vocab = 3000;
        for (int c = 0; c < 200; c++)
        {
            float[] logits = [.. Enumerable.Range(0, vocab).Select(_ => (float)(random.NextDouble() * 12) - (random.Next(4) == 0 ? 0 : 6))];
            var sampling = new RowSampling(
                (float)(0.2 + (random.NextDouble() * 2)),
                (ulong)c,
                (ulong)random.Next(),
                random.Next(3) == 0 ? 1 : 0.05 + (random.NextDouble() * 0.9),
                random.Next(3) == 0 ? 0 : random.Next(1, 2 * vocab));
            if (!sampling.Truncates)
            {
                continue;
            }

            Assert.Equal(FullRankingDraw(logits, sampling), Score(logits, [sampling], suppressedToken: 5)[0].Token);
        }
    }

    /// <summary>The definition, naively: every candidate ranked, then top-p, then top-k, then Gumbel-max.</summary>
    private static int FullRankingDraw(float[] logits, RowSampling sampling)
    {
        int[] ranked = [.. Enumerable.Range(0, logits.Length).Where(v => v != 5).OrderByDescending(v => logits[v]).ThenBy(v => v)];
        float top = logits[ranked[0]];
        double total = 0;
        for (int v = 0; v < logits.Length; v++)
        {
            total += v == 5 ? 0 : Math.Exp((logits[v] - top) * (1.0 / sampling.Temperature));
        }

        int kept = 0;
        for (double mass = 0; kept < ranked.Length && (kept == 0 || mass < sampling.TopP * total || sampling.TopP >= 1); kept++)
        {
            mass += Math.Exp((logits[ranked[kept]] - top) * (1.0 / sampling.Temperature));
        }

        kept = sampling.TopK > 0 ? Math.Min(kept, sampling.TopK) : kept;
        return ranked.Take(kept).MaxBy(v => logits[v] + (sampling.Temperature * CounterRng.Gumbel(sampling.Seed, sampling.Counter, (ulong)v)));
    }

    private static float[] Logits() => [.. Probabilities.Select(p => (float)Math.Log(p))];

    private int[] Draw(float temperature, double topP, int topK, int suppressedToken = -1)
    {
        float[] row = Logits();
        var logits = new float[Draws * row.Length];
        var sampling = new RowSampling[Draws];
        for (int i = 0; i < Draws; i++)
        {
            row.CopyTo(logits, i * row.Length);
            sampling[i] = new RowSampling(temperature, 2026, (ulong)i, topP, topK);
        }

        return [.. Score(logits, sampling, suppressedToken).Select(s => s.Token)];
    }

    private TokenScore[] Score(float[] logits, RowSampling[] sampling, int suppressedToken) => ScoredRows.Of(_backend, logits, sampling, suppressedToken);

    private static void AssertFrequencies(int[] tokens, double[] expected)
    {
        for (int v = 0; v < expected.Length; v++)
        {
            double frequency = tokens.Count(t => t == v) / (double)tokens.Length;
            double sigma = Math.Sqrt(expected[v] * (1 - expected[v]) / tokens.Length);
            Assert.True(
                Math.Abs(frequency - expected[v]) <= Sigmas * sigma,
                $"token {v}: drawn {frequency:F4} of the time, expected {expected[v]:F4} ± {Sigmas}σ ({Sigmas * sigma:F4})");
        }
    }
}
