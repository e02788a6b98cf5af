using System.Numerics.Tensors;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// The LM-head epilogue on one row of fp32 logits: softmax statistics, top-1/top-2, entropy and the (optionally
/// Gumbel-noised) choice, in one pass plus one exp sweep. Reference for <c>kernels/lm_head_epilogue.cu</c>, whose
/// top-p/top-k (<c>kernels/truncation.cuh</c>) follows <see cref="TruncatedSampler"/>.
/// The confidences are those of the un-noised, untruncated <c>softmax(logits)</c> whatever the sampling (LLaDA's
/// convention, <see cref="TokenScore"/>), where top-p and top-k change only which token is chosen; or, for a row that
/// <see cref="RowSampling.ScoresTheDrawDistribution"/> (Dream's), those of the tempered, truncated distribution the
/// token is drawn from.
/// </summary>
internal static unsafe class CpuLogitScorer
{
    public static TokenScore Score(float* logits, int vocab, RowSampling sampling, int suppressedToken, float* scratch)
    {
        var row = new ReadOnlySpan<float>(logits, vocab);
        var exps = new Span<float>(scratch, vocab);
        float max = TensorPrimitives.Max(row);
        TensorPrimitives.Subtract(row, max, exps);
        TensorPrimitives.Exp(exps, exps);
        double sum = FixedOrderMath.SumInDouble(scratch, vocab);
        double logZ = Math.Log(sum);

        int top1 = -1, top2 = -1;
        for (int v = 0; v < vocab; v++)
        {
            if (v == suppressedToken)
            {
                continue;
            }

            if (top1 < 0 || logits[v] > logits[top1])
            {
                top2 = top1;
                top1 = v;
            }
            else if (top2 < 0 || logits[v] > logits[top2])
            {
                top2 = v;
            }
        }

        int chosen = sampling.Truncates ? TruncatedSampler.Draw(row, sampling, suppressedToken)
            : sampling.Temperature > 0f ? GumbelMax(logits, vocab, sampling, suppressedToken)
            : top1;
        // Σ p log p = Σ e (x − max) / Z − log Z, and log p = (x − max) − log Z: centred, so nothing cancels at large logits.
        double negativeEntropy = (FixedOrderMath.CenteredDotInDouble(scratch, logits, max, vocab) / sum) - logZ;
        double LogP(int token) => logits[token] - max - logZ;
        double p2 = top2 < 0 ? 0 : Math.Exp(LogP(top2));
        double logProbability = LogP(chosen);
        var score = new TokenScore(chosen, (float)Math.Exp(logProbability), (float)logProbability, (float)(Math.Exp(LogP(top1)) - p2), (float)negativeEntropy);
        return sampling.ScoresTheDrawDistribution ? WithDrawConfidences(score, row, sampling, suppressedToken, top1, top2) : score;
    }

    /// <summary>
    /// <paramref name="score"/> with its confidences under the draw distribution: weights <c>w = exp((x − top) / T)</c>
    /// in double (the fp32 difference first, as the kernel and <see cref="TruncatedSampler"/> compute them) over the kept
    /// candidates, <c>p = w / Σw</c>, the top-2 margin (0 for the second when top-k or top-p dropped it) and
    /// <c>Σ p log p = Σ w y / Σ w − log Σ w</c> with <c>y = (x − top) / T</c>.
    /// </summary>
    private static TokenScore WithDrawConfidences(TokenScore score, ReadOnlySpan<float> row, RowSampling sampling, int suppressedToken, int top1, int top2)
    {
        float top = row[top1];
        double inverseT = 1.0 / sampling.DistributionTemperature;
        int[]? kept = sampling.TruncatesConfidences ? TruncatedSampler.Kept(row, sampling, suppressedToken) : null;
        double z = 0, a = 0;
        for (int i = 0; i < (kept?.Length ?? row.Length); i++)
        {
            int v = kept?[i] ?? i;
            if (v != suppressedToken)
            {
                double y = (row[v] - top) * inverseT, w = Math.Exp(y);
                z += w;
                a += w * y;
            }
        }

        double second = top2 >= 0 && (kept is null || kept.Length > 1) ? Math.Exp((row[top2] - top) * inverseT) : 0;
        return score with
        {
            Probability = (float)(Math.Exp((row[score.Token] - top) * inverseT) / z),
            Margin = (float)((1 - second) / z),
            NegativeEntropy = (float)((a / z) - Math.Log(z)),
        };
    }

    /// <summary><c>argmax(logit + T·g)</c> in double precision, as LLaDA's float64 <c>add_gumbel_noise</c>.</summary>
    private static int GumbelMax(float* logits, int vocab, RowSampling sampling, int suppressedToken)
    {
        int best = -1;
        double bestValue = double.NegativeInfinity;
        for (int v = 0; v < vocab; v++)
        {
            if (v == suppressedToken)
            {
                continue;
            }

            double noised = logits[v] + (sampling.Temperature * CounterRng.Gumbel(sampling.Seed, sampling.Counter, (ulong)v));
            if (best < 0 || noised > bestValue)
            {
                best = v;
                bestValue = noised;
            }
        }

        return best;
    }
}
