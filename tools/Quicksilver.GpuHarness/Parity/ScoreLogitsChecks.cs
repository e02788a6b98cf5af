using Quicksilver.Engine.Compute;

namespace Quicksilver.GpuHarness.Parity;

/// <summary>
/// The fused LM-head epilogue against <c>CpuLogitScorer</c> on identical fp32 logits: the same token choice in every
/// row (arg-max ties break to the lower index on both; Gumbel draws come from the shared CounterRng in double
/// precision), probabilities, log-probabilities, margins and Σ p log p within <see cref="Tolerance.Probability"/> /
/// <see cref="Tolerance.LogProbability"/>, and the suppressed token never chosen.
/// </summary>
internal static class ScoreLogitsChecks
{
    private const int MaskId = 126336;
    private const int DreamMaskId = 151666;
    private const int TimedRows = 64;

    public static void Greedy(ParityContext c) => Run(c, [new(0f, 0, 0)], label: "greedy");

    public static void Gumbel(ParityContext c) => Run(c, [new(0.3f, 0, 0), new(1f, 0, 0), new(2.5f, 0, 0)], label: "gumbel");

    /// <summary>
    /// Top-p / top-k rows (the epilogue's radix walk, <c>kernels/truncation.cuh</c>) interleaved with plain Gumbel rows,
    /// each as its own sampling says: nuclei from one token to nearly the whole vocabulary, top-k from 1 to past the
    /// vocabulary. A note times the epilogue over truncated rows against plain ones.
    /// </summary>
    public static void Truncated(ParityContext c)
    {
        Run(
            c,
            [
                new(1f, 0, 0), new(0.7f, 0, 0, TopP: 0.9), new(1f, 0, 0, TopK: 40), new(1.3f, 0, 0, TopP: 0.95, TopK: 20),
                new(0.5f, 0, 0, TopP: 0.05), new(2f, 0, 0, TopK: 1), new(1f, 0, 0, TopP: 0.999, TopK: 200_000),
            ],
            label: "top-p/top-k");
        TimeTruncation(c);
    }

    /// <summary>
    /// Dream's confidences (<see cref="RowSampling.ConfidenceFromDraw"/>: under the tempered, top-p/top-k-cut draw
    /// distribution, greedy rows included), at Dream's demo settings and around them. A note times them against
    /// LLaDA's convention for the same sampling at Dream's vocabulary.
    /// </summary>
    public static void DreamConfidences(ParityContext c)
    {
        Run(
            c,
            [
                new(0.2f, 0, 0, TopP: 0.95, ConfidenceFromDraw: true), new(0f, 0, 0, TopP: 0.9, ConfidenceFromDraw: true),
                new(0.7f, 0, 0, TopK: 40, ConfidenceFromDraw: true), new(1.5f, 0, 0, ConfidenceFromDraw: true),
                new(0f, 0, 0, TopK: 1, ConfidenceFromDraw: true), new(1f, 0, 0, TopP: 0.5, TopK: 3, ConfidenceFromDraw: true),
            ],
            label: "Dream confidences");
        const int vocab = 151_936;
        var demo = new RowSampling(0.2f, 1, 0, TopP: 0.95);
        (double llada, double dream) = TimePair(c, vocab, DreamMaskId, demo, demo with { ConfidenceFromDraw = true });
        c.Notes.Add($"{TimedRows} rows x vocab {vocab}, T 0.2 top_p 0.95: ScoreLogits with LLaDA's confidences {llada:F3} ms, Dream's {dream:F3} ms ({dream / llada:F2}x), wall clock incl. the score download, best of 5");
    }

    /// <summary>The epilogue over 64 rows of LLaDA's vocabulary, every row truncated (top_p 0.9) against every row plain; best of 5 after a warm-up.</summary>
    private static void TimeTruncation(ParityContext c)
    {
        const int vocab = 126464;
        (double plain, double truncated) = TimePair(c, vocab, MaskId, new RowSampling(1f, 1, 0), new RowSampling(1f, 1, 0, TopP: 0.9));
        c.Notes.Add($"{TimedRows} rows x vocab {vocab}: ScoreLogits plain Gumbel {plain:F3} ms, top_p 0.9 {truncated:F3} ms ({truncated / plain:F1}x), wall clock incl. the score download, best of 5");
    }

    /// <summary>
    /// The epilogue over <see cref="TimedRows"/> rows of random logits at <paramref name="vocab"/>, every row as
    /// <paramref name="first"/>, then every row as <paramref name="second"/> (each row its own counter); best of 5 each.
    /// </summary>
    private static (double First, double Second) TimePair(ParityContext c, int vocab, int suppressed, RowSampling first, RowSampling second)
    {
        using IDeviceBuffer buffer = ParityContext.Input(c.Device, c.Data.Logits(TimedRows * vocab, 3f), vocab, BufferKind.Logits);
        var results = new TokenScore[TimedRows];
        double BestMs(RowSampling sampling)
        {
            RowSampling[] all = [.. Enumerable.Range(0, TimedRows).Select(r => sampling with { Counter = (ulong)r })];
            return BestTime.Milliseconds(() => c.Device.ScoreLogits(buffer, all, suppressed, results));
        }

        return (BestMs(first), BestMs(second));
    }

    /// <param name="samplings">Cycled over the rows; each row gets its own seed and counter.</param>
    private static void Run(ParityContext c, RowSampling[] samplings, string label)
    {
        foreach ((int vocab, BufferKind kind) in new[] { (126464, BufferKind.Logits), (50257, BufferKind.Logits), (1000, BufferKind.Activation) })
        {
            int rows = 24;
            int suppressed = vocab > MaskId ? MaskId : vocab - 1;
            float[] logits = c.Data.Logits(rows * vocab, 3f);
            if (kind == BufferKind.Activation)
            {
                for (int i = 0; i < logits.Length; i++)
                {
                    logits[i] = BFloat16.Round(logits[i]); // bf16 buffer on CUDA: give the CPU the same values
                }
            }

            // Row 0: the suppressed token holds the largest logit; row 1: a clear winner; row 2: an exact tie.
            logits[suppressed] = 50f;
            logits[vocab + 7] = 40f;
            logits[(2 * vocab) + 11] = 30f;
            logits[(2 * vocab) + 3] = 30f;
            var sampling = new RowSampling[rows];
            for (int r = 0; r < rows; r++)
            {
                sampling[r] = samplings[r % samplings.Length] with { Seed = (ulong)(c.Seed + r), Counter = (ulong)(r * 7919) };
            }

            TokenScore[] Score(IComputeBackend b)
            {
                using IDeviceBuffer l = ParityContext.Input(b, logits, vocab, kind);
                var results = new TokenScore[rows];
                b.ScoreLogits(l, sampling, suppressed, results);
                return results;
            }

            TokenScore[] expected = Score(c.Cpu), actual = Score(c.Device);
            string name = $"{label} vocab {vocab} ({(kind == BufferKind.Logits ? "fp32" : "bf16")} logits)";
            long mismatches = 0, suppressedChosen = 0;
            string? first = null;
            for (int r = 0; r < rows; r++)
            {
                if (expected[r].Token != actual[r].Token)
                {
                    mismatches++;
                    first ??= $"row {r} ({sampling[r]}): cpu {expected[r].Token}, cuda {actual[r].Token}";
                }

                if (actual[r].Token == suppressed)
                {
                    suppressedChosen++;
                }
            }

            c.Metrics.Add(Comparison.Count($"{name}: token choices", rows, mismatches, first));
            c.Metrics.Add(Comparison.Count($"{name}: suppressed token chosen", rows, suppressedChosen, null));
            c.Compare($"{name}: probability", expected.Select(s => s.Probability).ToArray(), actual.Select(s => s.Probability).ToArray(), Tolerance.Probability);
            c.Compare($"{name}: log-probability", expected.Select(s => s.LogProbability).ToArray(), actual.Select(s => s.LogProbability).ToArray(), Tolerance.LogProbability);
            c.Compare($"{name}: margin", expected.Select(s => s.Margin).ToArray(), actual.Select(s => s.Margin).ToArray(), Tolerance.Probability);
            c.Compare($"{name}: Σ p log p", expected.Select(s => s.NegativeEntropy).ToArray(), actual.Select(s => s.NegativeEntropy).ToArray(), Tolerance.LogProbability);
        }
    }
}
