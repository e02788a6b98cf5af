using System.Numerics.Tensors;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// Non-causal scaled dot-product attention over a packed variable-length batch, one task per (sequence, head).
/// Scores, softmax and the weighted sum of values are fp32 and use the fixed-order reductions, so the output of a
/// sequence does not depend on the other sequences in the batch. Reference for <c>kernels/attention.cu</c>.
/// </summary>
internal static unsafe class CpuAttention
{
    public static void Run(
        CpuBuffer queries,
        CpuBuffer keys,
        CpuBuffer values,
        AttentionLayout layout,
        int headCount,
        int kvHeadCount,
        int headDim,
        CpuBuffer output,
        ParallelOptions parallel)
    {
        if (headCount % kvHeadCount != 0)
        {
            throw new ArgumentException($"{headCount} query heads cannot share {kvHeadCount} key/value heads evenly.");
        }

        int sequences = layout.SequenceCount;
        int longestKeys = 0;
        for (int s = 0; s < sequences; s++)
        {
            longestKeys = Math.Max(longestKeys, layout.KeyOffsets[s + 1] - layout.KeyOffsets[s]);
        }

        output.Rows = queries.Rows;
        int group = headCount / kvHeadCount;
        float scale = 1f / MathF.Sqrt(headDim);
        Parallel.For(
            0,
            sequences * headCount,
            parallel,
            () => new float[longestKeys],
            (task, _, scores) =>
            {
                int s = task / headCount, h = task % headCount;
                Head(queries, keys, values, output, layout, s, h, h / group, headDim, scale, scores);
                return scores;
            },
            _ => { });
    }

    private static void Head(
        CpuBuffer queries,
        CpuBuffer keys,
        CpuBuffer values,
        CpuBuffer output,
        AttentionLayout layout,
        int sequence,
        int head,
        int kvHead,
        int headDim,
        float scale,
        float[] scoreBuffer)
    {
        int qStart = layout.QueryOffsets[sequence], qEnd = layout.QueryOffsets[sequence + 1];
        int kStart = layout.KeyOffsets[sequence], kCount = layout.KeyOffsets[sequence + 1] - kStart;
        Span<float> scores = scoreBuffer.AsSpan(0, kCount);
        fixed (float* score = scores)
        {
            for (int i = qStart; i < qEnd; i++)
            {
                float* q = queries.Data + ((long)i * queries.Columns) + (head * headDim);
                for (int j = 0; j < kCount; j++)
                {
                    float* k = keys.Data + ((long)(kStart + j) * keys.Columns) + (kvHead * headDim);
                    score[j] = FixedOrderMath.Dot(q, k, headDim) * scale;
                }

                float max = TensorPrimitives.Max(scores);
                TensorPrimitives.Subtract(scores, max, scores);
                TensorPrimitives.Exp(scores, scores);
                float inverseSum = 1f / FixedOrderMath.Sum(score, kCount);

                float* o = output.Data + ((long)i * output.Columns) + (head * headDim);
                new Span<float>(o, headDim).Clear();
                for (int j = 0; j < kCount; j++)
                {
                    float* v = values.Data + ((long)(kStart + j) * values.Columns) + (kvHead * headDim);
                    FixedOrderMath.MultiplyAdd(score[j] * inverseSum, v, o, headDim);
                }
            }
        }
    }
}
