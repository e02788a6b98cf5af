using System.Numerics.Tensors;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// The LM-head epilogue on one row of fp32 logits: softmax statistics, top-1/top-2, entropy and the (optionally
/// Gumbel-noised) choice, in one pass plus one exp sweep. Reference for <c>kernels/lm_head_epilogue.cu</c>, whose
/// top-p/top-k (<c>kernels/truncation.cuh</c>) follows <see cref="TruncatedSampler"/>.
/// The confidences are those of the un-noised, untruncated <c>softmax(logits)</c> whatever the sampling (LLaDA's
/// convention, <see cref="TokenScore"/>); top-p and top-k change only which token is chosen.
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
        return new TokenScore(chosen, (float)Math.Exp(logProbability), (float)logProbability, (float)(Math.Exp(LogP(top1)) - p2), (float)negativeEntropy);
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
