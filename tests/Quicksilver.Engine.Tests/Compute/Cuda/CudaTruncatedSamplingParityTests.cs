using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Compute.Tests;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

/// <summary>
/// Top-p and top-k drawn on the device (<c>kernels/truncation.cuh</c> in <c>lm_head_epilogue.cu</c>, skipped without a
/// device) against <see cref="CpuBackend.ScoreLogits"/>, whose <see cref="TruncatedSampler"/> is the reference: the same
/// token in every row, and the untruncated confidences within the plain epilogue's tolerances. Rows hold random
/// settings, ties (bf16 logits, logits on a coarse grid) and a suppressed token with the largest logit. The kernel's
/// mass sums are not the host's rank-order sums, so a cut within rounding (~1e-15 relative) of <c>top_p</c> times the
/// total could differ; random settings do not land there.
/// </summary>
public sealed class CudaTruncatedSamplingParityTests : IDisposable
{
    private const int Suppressed = 5;

    private readonly CpuBackend cpu = new(new CpuBackendOptions { Threads = 2 });
    private readonly Lazy<CudaBackend> gpu = new(() => new CudaBackend(new CudaBackendOptions { SynchronizeEachLaunch = true, PrecompileKernels = false }));
    private readonly int seed = Environment.TickCount;

    public void Dispose()
    {
        if (gpu.IsValueCreated)
        {
            gpu.Value.Dispose();
        }

        cpu.Dispose();
    }

    [CudaFact]
    public void ScoreLogits_RandomTopPTopK_DrawsTheCpuTokens()
    {
        var random = new Random(seed);
        const int vocab = 3000;
        float[] logits = Rows(random, 96, vocab, (r, _) => (float)(r.NextDouble() * 12) - (r.Next(4) == 0 ? 0 : 6));

        AssertDrawsAsCpu(logits, vocab, RandomSettings(random, 96, vocab), BufferKind.Logits);
    }

    [CudaFact]
    public void ScoreLogits_TiesOnACoarseGrid_CutInsideATieByTokenId()
    {
        // Logits in steps of 0.5: hundreds of tokens share each value, so both cuts fall inside a run of equal logits,
        // where the rank goes by token id.
        var random = new Random(seed);
        const int vocab = 2048;
        float[] logits = Rows(random, 48, vocab, (r, _) => MathF.Round((float)(r.NextDouble() * 8) * 2) / 2);

        AssertDrawsAsCpu(logits, vocab, RandomSettings(random, 48, vocab), BufferKind.Logits);
    }

    [CudaFact]
    public void ScoreLogits_Bf16LogitsAtALargeVocabulary_DrawsTheCpuTokens()
    {
        // A bf16 logits buffer (as the CUDA LM head writes under BufferKind.Activation), GPT-2's vocabulary, the
        // suppressed token holding the largest logit in every row.
        var random = new Random(seed);
        const int vocab = 50257, rows = 12;
        float[] logits = Rows(random, rows, vocab, (r, _) => BFloat16.Round((float)(r.NextDouble() * 10) - 5));
        for (int row = 0; row < rows; row++)
        {
            logits[((long)row * vocab) + Suppressed] = 20f;
        }

        RowSampling[] settings =
        [
            .. Enumerable.Range(0, rows).Select(r => new RowSampling(
                0.5f + (0.25f * (r % 5)),
                (ulong)(seed + r),
                (ulong)r,
                TopP: r % 3 == 2 ? 1 : 0.3 + (0.05 * r),
                TopK: r % 3 == 1 ? 0 : 1 + (r * 37))),
        ];

        AssertDrawsAsCpu(logits, vocab, settings, BufferKind.Activation);
    }

    [CudaFact]
    public void ScoreLogits_DreamsDrawConfidences_AsCpu()
    {
        // Dream's confidences (RowSampling.ScoresTheDrawDistribution): tempered, truncated even when greedy, in f32 and
        // bf16 logits; a quarter of the rows greedy with top-p or top-k, the rest sampled with or without them.
        var random = new Random(seed);
        const int vocab = 3000, rows = 64;
        float[] logits = Rows(random, rows, vocab, (r, _) => (float)(r.NextDouble() * 12) - (r.Next(4) == 0 ? 0 : 6));
        RowSampling[] settings =
        [
            .. RandomSettings(random, rows, vocab).Select((s, r) => s with
            {
                Temperature = r % 4 == 0 ? 0f : s.Temperature,
                TopP = r % 4 == 1 ? 1 : s.TopP,
                TopK = r % 4 == 1 ? 0 : s.TopK,
                ConfidenceFromDraw = true,
            }),
        ];
        Assert.All(settings, s => Assert.True(s.ScoresTheDrawDistribution));

        foreach (BufferKind kind in new[] { BufferKind.Logits, BufferKind.Activation })
        {
            float[] stored = kind == BufferKind.Activation ? [.. logits.Select(BFloat16.Round)] : logits;
            TokenScore[] expected = Score(cpu, stored, vocab, settings, kind);
            TokenScore[] actual = Score(gpu.Value, stored, vocab, settings, kind);
            TokenScore[] llada = Score(cpu, stored, vocab, [.. settings.Select(s => s with { ConfidenceFromDraw = false })], kind);
            for (int r = 0; r < rows; r++)
            {
                string row = $"{kind} row {r} of seed {seed} ({settings[r]})";
                Assert.True(expected[r].Token == actual[r].Token, $"{row}: cpu {expected[r].Token}, cuda {actual[r].Token}");
                Assert.True(Math.Abs(expected[r].Probability - actual[r].Probability) <= 1e-5f, $"{row}: p cpu {expected[r].Probability}, cuda {actual[r].Probability}");
                Assert.True(Math.Abs(expected[r].Margin - actual[r].Margin) <= 1e-5f, $"{row}: margin cpu {expected[r].Margin}, cuda {actual[r].Margin}");
                Assert.True(Math.Abs(expected[r].NegativeEntropy - actual[r].NegativeEntropy) <= 1e-4f, $"{row}: Σ p log p cpu {expected[r].NegativeEntropy}, cuda {actual[r].NegativeEntropy}");
                Assert.Equal(expected[r].LogProbability, actual[r].LogProbability, 1e-4f);
                Assert.Equal(llada[r].LogProbability, actual[r].LogProbability, 1e-4f);
            }

            int differ = Enumerable.Range(0, rows).Count(r => Math.Abs(llada[r].NegativeEntropy - actual[r].NegativeEntropy) > 1e-3);
            Assert.True(differ >= rows * 3 / 4, $"{kind}: only {differ} of {rows} rows scored otherwise than under softmax(logits) (seed {seed})");
        }
    }

    [CudaFact]
    public void ScoreLogits_DreamsDrawConfidences_EdgeRows_AsCpu()
    {
        // Vocabularies of 2, 3 and 33 (under a warp); the suppressed token (5) the row's largest logit; top-k of 1 and 2;
        // a greedy row whose top-p keeps one token; rows with a logit of -inf under Dream's convention and the plain softmax.
        foreach (int vocab in new[] { 2, 3, 33 })
        {
            var random = new Random(vocab);
            RowSampling[] settings =
            [
                new(0.5f, 1, 1, TopP: 0.9, ConfidenceFromDraw: true),
                new(0.7f, 1, 2, TopK: 1, ConfidenceFromDraw: true),
                new(1.3f, 1, 3, TopK: 2, ConfidenceFromDraw: true),
                new(0f, 1, 4, TopP: 0.5, ConfidenceFromDraw: true),
                new(0f, 1, 5, TopK: 2, ConfidenceFromDraw: true),
                new(2f, 1, 6, ConfidenceFromDraw: true),
                new(1f, 1, 7),
                new(1f, 1, 8, ConfidenceFromDraw: true),
            ];
            float[] logits = Rows(random, settings.Length, vocab, (r, _) => (float)((r.NextDouble() * 4) - 2));
            for (int row = 0; row < settings.Length; row++)
            {
                if (Suppressed < vocab)
                {
                    logits[(row * vocab) + Suppressed] = 10f;
                }

                logits[(row * vocab) + (row % vocab)] = row == 3 ? 6f : logits[(row * vocab) + (row % vocab)];
                logits[(row * vocab) + vocab - 1] = row >= 5 ? float.NegativeInfinity : logits[(row * vocab) + vocab - 1];
            }

            TokenScore[] expected = Score(cpu, logits, vocab, settings, BufferKind.Logits);
            TokenScore[] actual = Score(gpu.Value, logits, vocab, settings, BufferKind.Logits);
            for (int r = 0; r < settings.Length; r++)
            {
                string row = $"vocabulary {vocab}, row {r} ({settings[r]}): cpu {expected[r]}, cuda {actual[r]}";
                Assert.True(expected[r].Token == actual[r].Token, row);
                Assert.True(Math.Abs(expected[r].Probability - actual[r].Probability) <= 1e-5f, row);
                Assert.True(Math.Abs(expected[r].Margin - actual[r].Margin) <= 1e-5f, row);
                Assert.True(Math.Abs(expected[r].NegativeEntropy - actual[r].NegativeEntropy) <= 1e-4f, row);
                Assert.False(float.IsNaN(actual[r].NegativeEntropy), row);
            }

            // One token kept (top-k 1; the greedy row's nucleus): certainty, whatever the plain softmax says.
            Assert.All(new[] { actual[1], actual[3] }, one => Assert.Equal((1f, 1f, 0f), (one.Probability, one.Margin, one.NegativeEntropy)));
        }
    }

    /// <summary>
    /// Scores the rows on both backends: the tokens must be equal, the suppressed token never drawn, and the
    /// confidences those of the untruncated softmax within the plain epilogue's tolerances. The truncation must also
    /// matter: some rows' CPU tokens differ from the untruncated draw's.
    /// </summary>
    private void AssertDrawsAsCpu(float[] logits, int vocab, RowSampling[] sampling, BufferKind kind)
    {
        TokenScore[] expected = Score(cpu, logits, vocab, sampling, kind);
        TokenScore[] actual = Score(gpu.Value, logits, vocab, sampling, kind);
        TokenScore[] untruncated = Score(cpu, logits, vocab, [.. sampling.Select(s => s with { TopP = 1, TopK = 0 })], kind);

        for (int r = 0; r < sampling.Length; r++)
        {
            string row = $"row {r} of seed {seed} ({sampling[r]})";
            Assert.True(expected[r].Token == actual[r].Token, $"{row}: cpu {expected[r].Token}, cuda {actual[r].Token}");
            Assert.NotEqual(Suppressed, actual[r].Token);
            Assert.Equal(expected[r].Probability, actual[r].Probability, 1e-5f);
            Assert.Equal(expected[r].LogProbability, actual[r].LogProbability, 1e-4f);
            Assert.Equal(expected[r].Margin, actual[r].Margin, 1e-5f);
            Assert.Equal(expected[r].NegativeEntropy, actual[r].NegativeEntropy, 1e-3f);
        }

        int changedByTruncation = Enumerable.Range(0, sampling.Length).Count(r => expected[r].Token != untruncated[r].Token);
        Assert.True(changedByTruncation >= sampling.Length / 8, $"only {changedByTruncation} of {sampling.Length} draws changed by top-p/top-k (seed {seed})");
    }

    private static TokenScore[] Score(IComputeBackend backend, float[] logits, int vocab, RowSampling[] sampling, BufferKind kind)
    {
        Assert.Equal((long)vocab * sampling.Length, logits.Length);
        return ScoredRows.Of(backend, logits, sampling, Suppressed, kind);
    }

    private static float[] Rows(Random random, int rows, int vocab, Func<Random, int, float> value) =>
        [.. Enumerable.Range(0, rows * vocab).Select(i => value(random, i))];

    /// <summary>Temperatures in [0.2, 2.2]; top-p off or in [0.05, 0.95]; top-k off, small, or past the vocabulary; at least one of them on.</summary>
    private RowSampling[] RandomSettings(Random random, int rows, int vocab) =>
    [
        .. Enumerable.Range(0, rows).Select(r =>
        {
            bool topPOn = random.Next(3) != 0, topKOn = !topPOn || random.Next(2) == 0;
            return new RowSampling(
                (float)(0.2 + (random.NextDouble() * 2)),
                (ulong)(seed + r),
                (ulong)random.Next(),
                topPOn ? 0.05 + (random.NextDouble() * 0.9) : 1,
                !topKOn ? 0 : random.Next(4) == 0 ? random.Next(vocab, 2 * vocab) : random.Next(1, 200));
        }),
    ];
}
