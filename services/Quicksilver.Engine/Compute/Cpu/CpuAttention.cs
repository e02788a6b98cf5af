using System.Buffers;
using System.Numerics.Tensors;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// Scaled dot-product attention over a packed variable-length batch, one task per (sequence, key/value head) serving
/// every query head that shares it (split further only when that leaves too few tasks per thread): non-causal, or
/// block-causal when the layout says so (each query row reads the first <see cref="AttentionLayout.VisibleKeys"/>). Each
/// sequence reads its keys and values from the step's packed buffers or from its <see cref="CpuKvCache"/>; both are
/// rows of the same width, so the arithmetic is the same. The task packs its key/value head into
/// <see cref="WeightPanel"/> layout once for all its query heads, and scores and the weighted sum of values run through the matrix product's
/// <see cref="MatMulKernel"/> six query rows at a time (a dot product per score was five times slower); softmax is fp32
/// with the fixed-order sum. Nothing depends on the other sequences in the batch, nor on where the keys are stored.
/// Reference for <c>kernels/attention.cu</c>.
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
        int threads = parallel.MaxDegreeOfParallelism > 0 ? parallel.MaxDegreeOfParallelism : Environment.ProcessorCount;
        int splits = SplitsPerKeyValueHead(layout.SequenceCount * kvHeadCount, group, threads);
        int headsPerTask = group / splits;
        float scale = 1f / MathF.Sqrt(headDim);
        int scratchFloats = HeadScratch.Floats(longestKeys, headDim);
        Parallel.For(
            0,
            layout.SequenceCount * kvHeadCount * splits,
            parallel,
            () => ArrayPool<float>.Shared.Rent(scratchFloats),
            (task, _, scratch) =>
            {
                int s = task / (kvHeadCount * splits), kvHead = task / splits % kvHeadCount;
                int firstHead = (kvHead * group) + (task % splits * headsPerTask);
                fixed (float* memory = scratch)
                {
                    var headScratch = new HeadScratch(memory, sources[s].Count, headDim);
                    PackKeys(sources[s], kvHead, headDim, headScratch);
                    PackValues(sources[s], kvHead, headDim, headScratch);
                    for (int h = firstHead; h < firstHead + headsPerTask; h++)
                    {
                        Head(queries, sources[s], output, layout, s, h, headDim, scale, headScratch);
                    }
                }

                return scratch;
            },
            scratch => ArrayPool<float>.Shared.Return(scratch));
    }

    /// <summary>
    /// Into how many tasks the query heads sharing one key/value head are split (a divisor of the group): one, so the
    /// head's keys and values are packed once, unless that leaves fewer than two tasks per thread.
    /// </summary>
    private static int SplitsPerKeyValueHead(int keyValueHeads, int group, int threads)
    {
        int splits = 1;
        while (splits < group && keyValueHeads * splits < 2 * threads)
        {
            do
            {
                splits++;
            }
            while (group % splits != 0);
        }

        return splits;
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

    /// <summary>
    /// One query head of one sequence against its key/value head, packed in <paramref name="scratch"/>, six query rows
    /// at a time: scores against the packed keys, softmax over the keys each row sees (all, or a prefix when
    /// block-causal: the scores past it are zeroed after the softmax, so they add nothing), then the probabilities
    /// against the packed values, both through <see cref="MatMulKernel"/>. Both products stop at the last key the six
    /// rows see, as the CUDA kernels do: a K/V cache's rows past it may never have been written (a block-causal refresh
    /// stops at the window's end), and zero times a NaN is no zero.
    /// </summary>
    private static void Head(
        CpuBuffer queries,
        KeyRows source,
        CpuBuffer output,
        AttentionLayout layout,
        int sequence,
        int head,
        int headDim,
        float scale,
        HeadScratch scratch)
    {
        int qStart = layout.QueryOffsets[sequence], qEnd = layout.QueryOffsets[sequence + 1];
        int kCount = source.Count;
        if (kCount == 0)
        {
            for (int i = qStart; i < qEnd; i++)
            {
                new Span<float>(output.Data + ((long)i * output.Columns) + (head * headDim), headDim).Clear();
            }

            return;
        }

        float* result = stackalloc float[MatMulKernel.Rows * WeightPanel.Width];
        float* inverseSums = stackalloc float[MatMulKernel.Rows];
        int width = scratch.PaddedKeys;
        for (int i = qStart; i < qEnd; i += MatMulKernel.Rows)
        {
            int rows = Math.Min(MatMulKernel.Rows, qEnd - i);
            float* q = queries.Data + ((long)i * queries.Columns) + (head * headDim);
            int reach = layout.VisibleKeys(layout.Keys[sequence], i + rows - 1 - qStart);
            for (int g = 0; g < (reach + WeightPanel.Width - 1) / WeightPanel.Width; g++)
            {
                MatMulKernel.Run(q, queries.Columns, rows, headDim, scratch.KeyPanel(g), result);
                for (int r = 0; r < rows; r++)
                {
                    TensorPrimitives.Multiply(new ReadOnlySpan<float>(result + (r * WeightPanel.Width), WeightPanel.Width), scale, new Span<float>(scratch.Scores + ((long)r * width) + (g * WeightPanel.Width), WeightPanel.Width));
                }
            }

            for (int r = 0; r < rows; r++)
            {
                float* row = scratch.Scores + ((long)r * width);
                int visible = layout.VisibleKeys(layout.Keys[sequence], i + r - qStart);
                Span<float> scores = new(row, visible);
                float max = TensorPrimitives.Max(scores);
                TensorPrimitives.Subtract(scores, max, scores);
                TensorPrimitives.Exp(scores, scores);
                inverseSums[r] = 1f / FixedOrderMath.Sum(row, visible);
                new Span<float>(row + visible, reach - visible).Clear();
            }

            for (int g = 0; g < scratch.ValuePanels; g++)
            {
                MatMulKernel.Run(scratch.Scores, width, rows, reach, scratch.ValuePanel(g), result);
                int columns = Math.Min(WeightPanel.Width, headDim - (g * WeightPanel.Width));
                for (int r = 0; r < rows; r++)
                {
                    float* o = output.Data + ((long)(i + r) * output.Columns) + (head * headDim) + (g * WeightPanel.Width);
                    TensorPrimitives.Multiply(new ReadOnlySpan<float>(result + (r * WeightPanel.Width), columns), inverseSums[r], new Span<float>(o, columns));
                }
            }
        }
    }

    /// <summary>The head's keys, sixteen per panel, k-major over the head dimension; zeros past the last key.</summary>
    private static void PackKeys(KeyRows source, int kvHead, int headDim, HeadScratch scratch)
    {
        float** rows = stackalloc float*[WeightPanel.Width];
        for (int g = 0; g < scratch.PaddedKeys / WeightPanel.Width; g++)
        {
            for (int c = 0; c < WeightPanel.Width; c++)
            {
                int j = (g * WeightPanel.Width) + c;
                rows[c] = j < source.Count ? source.Keys + ((long)j * source.Stride) + (kvHead * headDim) : scratch.ZeroRow;
            }

            WeightPanel.PackRows(rows, headDim, scratch.KeyPanel(g));
        }
    }

    /// <summary>The head's values, sixteen head dimensions per panel, one run of sixteen per key; zeros past the head.</summary>
    private static void PackValues(KeyRows source, int kvHead, int headDim, HeadScratch scratch)
    {
        for (int g = 0; g < scratch.ValuePanels; g++)
        {
            int first = g * WeightPanel.Width;
            int columns = Math.Min(WeightPanel.Width, headDim - first);
            float* panel = scratch.ValuePanel(g);
            for (int j = 0; j < source.Count; j++)
            {
                float* v = source.Values + ((long)j * source.Stride) + (kvHead * headDim) + first;
                float* run = panel + ((long)j * WeightPanel.Width);
                new ReadOnlySpan<float>(v, columns).CopyTo(new Span<float>(run, columns));
                new Span<float>(run + columns, WeightPanel.Width - columns).Clear();
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
