using System.Numerics.Tensors;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// Scaled dot-product attention over a packed variable-length batch, one task per (sequence, head): non-causal, or
/// block-causal when the layout says so (each query row reads the first <see cref="AttentionLayout.VisibleKeys"/>). Each
/// sequence reads its keys and values from the step's packed buffers or from its <see cref="CpuKvCache"/>; both are
/// rows of the same width, so the arithmetic is the same. Scores, softmax and the weighted sum of values are fp32
/// and use the fixed-order reductions, so the output of a sequence does not depend on the other sequences in the
/// batch, nor on where its keys are stored. Reference for <c>kernels/attention.cu</c>.
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

        KeyRows[] sources = Resolve(queries, keys, values, layout, kvHeadCount * headDim);
        int longestKeys = sources.Length == 0 ? 0 : sources.Max(k => k.Count);
        output.Rows = queries.Rows;
        int group = headCount / kvHeadCount;
        float scale = 1f / MathF.Sqrt(headDim);
        Parallel.For(
            0,
            layout.SequenceCount * headCount,
            parallel,
            () => new float[longestKeys],
            (task, _, scores) =>
            {
                int s = task / headCount, h = task % headCount;
                Head(queries, sources[s], output, layout, s, h, h / group, headDim, scale, scores);
                return scores;
            },
            _ => { });
    }

    private static KeyRows[] Resolve(CpuBuffer queries, CpuBuffer keys, CpuBuffer values, AttentionLayout layout, int kvWidth)
    {
        int[] q = layout.QueryOffsets;
        if (q[0] != 0 || q[^1] > queries.Rows)
        {
            throw new ArgumentException($"Query offsets run from {q[0]} to {q[^1]}; they must start at 0 and end within the {queries.Rows} query rows.", nameof(layout));
        }

        if (keys.Columns != kvWidth || values.Columns != kvWidth)
        {
            throw new ArgumentException($"Key/value rows of {keys.Columns}/{values.Columns} elements; {kvWidth} expected.", nameof(layout));
        }

        var sources = new KeyRows[layout.SequenceCount];
        for (int s = 0; s < sources.Length; s++)
        {
            if (q[s + 1] < q[s])
            {
                throw new ArgumentException($"Query offsets decrease at sequence {s}.", nameof(layout));
            }

            AttentionKeys k = layout.Keys[s];
            if (k.Cache is null)
            {
                KvCacheArguments.CheckKeys(k, Math.Min(keys.Rows, values.Rows), s);
                sources[s] = new KeyRows(keys.Data + ((long)k.Start * kvWidth), values.Data + ((long)k.Start * kvWidth), k.Count, kvWidth);
            }
            else
            {
                KvCacheArguments.CheckLayer(k.Cache, layout.CacheLayer, kvWidth, $"sequence {s}");
                KvCacheArguments.CheckKeys(k, k.Cache.Positions, s);
                var cache = k.Cache as CpuKvCache ?? throw new ArgumentException($"Sequence {s} reads a cache of another backend.", nameof(layout));
                sources[s] = new KeyRows(cache.Keys(layout.CacheLayer, k.Start), cache.Values(layout.CacheLayer, k.Start), k.Count, kvWidth);
            }
        }

        return sources;
    }

    private static void Head(
        CpuBuffer queries,
        KeyRows source,
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
        fixed (float* score = scoreBuffer)
        {
            for (int i = qStart; i < qEnd; i++)
            {
                int kCount = layout.VisibleKeys(layout.Keys[sequence], i - qStart);
                Span<float> scores = scoreBuffer.AsSpan(0, kCount);
                float* q = queries.Data + ((long)i * queries.Columns) + (head * headDim);
                for (int j = 0; j < kCount; j++)
                {
                    float* k = source.Keys + ((long)j * source.Stride) + (kvHead * headDim);
                    score[j] = FixedOrderMath.Dot(q, k, headDim) * scale;
                }

                float* o = output.Data + ((long)i * output.Columns) + (head * headDim);
                new Span<float>(o, headDim).Clear();
                if (kCount == 0)
                {
                    continue;
                }

                float max = TensorPrimitives.Max(scores);
                TensorPrimitives.Subtract(scores, max, scores);
                TensorPrimitives.Exp(scores, scores);
                float inverseSum = 1f / FixedOrderMath.Sum(score, kCount);
                for (int j = 0; j < kCount; j++)
                {
                    float* v = source.Values + ((long)j * source.Stride) + (kvHead * headDim);
                    FixedOrderMath.MultiplyAdd(score[j] * inverseSum, v, o, headDim);
                }
            }
        }
    }

    /// <summary>One sequence's key and value rows, wherever they are stored.</summary>
    private readonly struct KeyRows(float* keys, float* values, int count, int stride)
    {
        public float* Keys { get; } = keys;

        public float* Values { get; } = values;

        public int Count { get; } = count;

        public int Stride { get; } = stride;
    }
}
