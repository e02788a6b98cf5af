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

        // Σ p log p = Σ e (x − max) / Z − log Z, and log p = (x − max) − log Z: centred, so nothing cancels at large logits.
        double negativeEntropy = (WeightedDeviation(scratch, logits, max, vocab) / sum) - logZ;
        if (top1 < 0)
        {
            return new TokenScore(-1, 0f, float.NegativeInfinity, 0f, (float)negativeEntropy); // every token suppressed, as the kernel answers
        }

        // One ranking serves the draw and the draw distribution's confidences: both cut at the same temperature.
        int[]? kept = sampling.Truncates || sampling.TruncatesConfidences ? TruncatedSampler.Kept(row, sampling, suppressedToken) : null;
        int chosen = sampling.Truncates ? TruncatedSampler.Draw(row, kept!, sampling)
            : sampling.Temperature > 0f ? GumbelMax(logits, vocab, sampling, suppressedToken)
            : top1;
        double LogP(int token) => logits[token] - max - logZ;
        double p2 = top2 < 0 ? 0 : Math.Exp(LogP(top2));
        double logProbability = LogP(chosen);
        var score = new TokenScore(chosen, (float)Math.Exp(logProbability), (float)logProbability, (float)(Math.Exp(LogP(top1)) - p2), (float)negativeEntropy);
        return sampling.ScoresTheDrawDistribution
            ? WithDrawConfidences(score, logits, vocab, sampling, suppressedToken, top1, top2, sampling.TruncatesConfidences ? kept : null, scratch)
            : score;
    }

    /// <summary>
    /// <paramref name="score"/> with its confidences under the draw distribution: weights <c>w = exp(y)</c> with
    /// <c>y = (x − top) / T</c> over the <paramref name="kept"/> candidates (every one but the suppressed when null),
    /// <c>p = w / Σw</c>, the top-2 margin (0 for the second when top-k or top-p dropped it) and
    /// <c>Σ p log p = Σ w y / Σ w − log Σ w</c>. Sums in double; over the kept tokens the weights too, as the kernel
    /// computes them, and over the whole vocabulary fp32 weights, vectorised.
    /// </summary>
    private static TokenScore WithDrawConfidences(TokenScore score, float* logits, int vocab, RowSampling sampling, int suppressedToken, int top1, int top2, int[]? kept, float* scratch)
    {
        var row = new ReadOnlySpan<float>(logits, vocab);
        float top = row[top1];
        double inverseT = 1.0 / sampling.DistributionTemperature;
        double z = 0, a = 0;
        if (kept is null)
        {
            var weights = new Span<float>(scratch, vocab);
            TensorPrimitives.Subtract(row, top, weights);
            TensorPrimitives.Multiply(weights, (float)inverseT, weights);
            TensorPrimitives.Exp(weights, weights);
            if (suppressedToken >= 0 && suppressedToken < vocab)
            {
                weights[suppressedToken] = 0f;
            }

            z = FixedOrderMath.SumInDouble(scratch, vocab);
            a = WeightedDeviation(scratch, logits, top, vocab) * inverseT;
        }
        else
        {
            foreach (int v in kept)
            {
                double y = (row[v] - top) * inverseT, w = Math.Exp(y);
                if (w > 0)
                {
                    z += w;
                    a += w * y;
                }
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

    /// <summary>
    /// <c>Σ w (x − center)</c> in double (<see cref="FixedOrderMath.CenteredDotInDouble"/>), where a zero weight adds
    /// nothing even at a logit of -inf (whose 0 · (-inf) is NaN: then summed again without the zero weights).
    /// </summary>
    private static double WeightedDeviation(float* weights, float* x, float center, int length)
    {
        double sum = FixedOrderMath.CenteredDotInDouble(weights, x, center, length);
        if (!double.IsNaN(sum))
        {
            return sum;
        }

        sum = 0;
        for (int v = 0; v < length; v++)
        {
            sum += weights[v] > 0f ? weights[v] * (double)(x[v] - center) : 0;
        }

        return sum;
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
