using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// The reference backend: fp32 activations, weights used in place from the memory-mapped checkpoint,
/// System.Numerics.Tensors for element-wise work and hand-written fixed-order SIMD reductions for everything that
/// sums, spread over a thread pool. Every CUDA kernel is checked against this class.
/// </summary>
public sealed unsafe class CpuBackend : IComputeBackend
{
    private readonly CpuBackendOptions _options;
    private readonly ParallelOptions _parallel;
    private RopeFrequencies? _ropeFrequencies;

    /// <summary>Creates the backend.</summary>
    public CpuBackend(CpuBackendOptions? options = null)
    {
        _options = options ?? new CpuBackendOptions();
        int threads = _options.Threads ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, nameof(options));
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Description = $"CPU, {threads} threads, {(System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "256-bit SIMD" : "no SIMD acceleration")}"
            + (_options.WidenWeightsToFp32 ? ", fp32 weight copies" : ", weights in checkpoint precision");
    }

    /// <inheritdoc />
    public string Name => "cpu";

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public IWeight LoadWeight(CheckpointTensor tensor) => new CpuWeight(tensor, _options.WidenWeightsToFp32);

    /// <inheritdoc />
    public IDeviceBuffer Allocate(int capacity, int columns, BufferKind kind = BufferKind.Activation) => new CpuBuffer(capacity, columns);

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<float> source, IDeviceBuffer destination)
    {
        CpuBuffer buffer = Cast(destination);
        if (source.Length % buffer.Columns != 0)
        {
            throw new ArgumentException($"{source.Length} values do not fill whole rows of {buffer.Columns}.", nameof(source));
        }

        buffer.Rows = source.Length / buffer.Columns;
        source.CopyTo(buffer.InUse);
    }

    /// <inheritdoc />
    public void Download(IDeviceBuffer source, Span<float> destination) => Cast(source).InUse.CopyTo(destination);

    /// <inheritdoc />
    public void Embed(IWeight table, ReadOnlySpan<int> tokens, IDeviceBuffer output)
    {
        CpuWeight weights = Cast(table);
        CpuBuffer result = Cast(output);
        result.Rows = tokens.Length;
        for (int i = 0; i < tokens.Length; i++)
        {
            int token = tokens[i];
            if ((uint)token >= (uint)weights.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(tokens), $"Token id {token} is outside the embedding table of {weights.Rows} rows.");
            }

            weights.ReadRow(token, result.Row(i));
        }
    }

    /// <inheritdoc />
    public void RmsNorm(IDeviceBuffer input, IWeight weight, float epsilon, IDeviceBuffer output)
    {
        CpuBuffer x = Cast(input), y = Cast(output);
        float[] scale = Cast(weight).Vector ?? throw new ArgumentException("An RMSNorm weight has one row.", nameof(weight));
        y.Rows = x.Rows;
        int columns = x.Columns;
        Parallel.For(0, x.Rows, _parallel, r => NormaliseRms(x.Data + ((long)r * columns), y.Data + ((long)r * columns), columns, scale, epsilon));
    }

    /// <inheritdoc />
    public void HeadRmsNorm(IDeviceBuffer queriesOrKeys, IWeight weight, int headCount, float epsilon)
    {
        CpuBuffer x = Cast(queriesOrKeys);
        float[] scale = Cast(weight).Vector ?? throw new ArgumentException("An RMSNorm weight has one row.", nameof(weight));
        if (headCount * scale.Length != x.Columns)
        {
            throw new ArgumentException($"A head norm of {scale.Length} over {headCount} heads needs rows of {headCount * scale.Length}, not {x.Columns}.", nameof(weight));
        }

        int headDim = scale.Length;
        Parallel.For(0, x.Rows * headCount, _parallel, h =>
        {
            float* head = x.Data + ((long)h * headDim);
            NormaliseRms(head, head, headDim, scale, epsilon);
        });
    }

    /// <inheritdoc />
    public void MatMul(IDeviceBuffer input, IWeight weight, IWeight? bias, IDeviceBuffer output) =>
        CpuMatMul.Run(Cast(input), Cast(weight), bias is null ? null : Cast(bias), Cast(output), _parallel);

    /// <inheritdoc />
    public void MatMulShared(IDeviceBuffer input, ReadOnlySpan<IWeight> weights, ReadOnlySpan<IWeight?> biases, ReadOnlySpan<IDeviceBuffer> outputs)
    {
        SharedProducts.Check(weights.Length, biases.Length, outputs.Length);
        for (int i = 0; i < weights.Length; i++)
        {
            MatMul(input, weights[i], biases[i], outputs[i]);
        }
    }

    /// <inheritdoc />
    public void ApplyRope(IDeviceBuffer queries, int queryHeadCount, IDeviceBuffer keys, int keyHeadCount, int headDim, ReadOnlySpan<int> positions, double theta)
    {
        CpuBuffer q = Cast(queries), k = Cast(keys);
        foreach ((CpuBuffer x, int heads) in new[] { (q, queryHeadCount), (k, keyHeadCount) })
        {
            if (positions.Length != x.Rows || heads * headDim != x.Columns)
            {
                throw new ArgumentException($"RoPE over {x.Rows}×{x.Columns} needs {x.Rows} positions and {heads}×{headDim} = {x.Columns}.");
            }
        }

        float[] inverseFrequencies = InverseFrequencies(headDim, theta);
        int[] rowPositions = positions.ToArray();
        Parallel.For(0, q.Rows, _parallel, r =>
        {
            RotaryEmbedding.Rotate(q.Row(r), queryHeadCount, headDim, rowPositions[r], inverseFrequencies);
            RotaryEmbedding.Rotate(k.Row(r), keyHeadCount, headDim, rowPositions[r], inverseFrequencies);
        });
    }

    /// <inheritdoc />
    public long KvCacheBytes(int layers, int positions, int keyValueWidth) => CpuKvCache.BytesFor(layers, positions, keyValueWidth);

    /// <inheritdoc />
    public IKvCache AllocateKvCache(int layers, int positions, int keyValueWidth) => new CpuKvCache(layers, positions, keyValueWidth);

    /// <inheritdoc />
    public void WriteKvCache(IDeviceBuffer keys, IDeviceBuffer values, int layer, ReadOnlySpan<KvCacheWrite> writes)
    {
        CpuBuffer k = Cast(keys), v = Cast(values);
        foreach (KvCacheWrite write in writes)
        {
            KvCacheArguments.CheckWrite(write, layer, k.Columns, Math.Min(k.Rows, v.Rows));
            var cache = write.Cache as CpuKvCache ?? throw new ArgumentException("The K/V cache belongs to another backend.", nameof(writes));
            if (v.Columns != k.Columns)
            {
                throw new ArgumentException($"Keys of {k.Columns} and values of {v.Columns} elements per row.", nameof(values));
            }

            // Buffer rows and cache rows have the same width, so each side is one contiguous run.
            long elements = (long)write.Count * cache.KeyValueWidth;
            new ReadOnlySpan<float>(k.Data + ((long)write.SourceRow * k.Columns), checked((int)elements)).CopyTo(new Span<float>(cache.Keys(layer, write.Position), (int)elements));
            new ReadOnlySpan<float>(v.Data + ((long)write.SourceRow * v.Columns), (int)elements).CopyTo(new Span<float>(cache.Values(layer, write.Position), (int)elements));
        }
    }

    /// <inheritdoc />
    public void Attention(
        IDeviceBuffer queries,
        IDeviceBuffer keys,
        IDeviceBuffer values,
        AttentionLayout layout,
        int headCount,
        int kvHeadCount,
        int headDim,
        IDeviceBuffer output) =>
        CpuAttention.Run(Cast(queries), Cast(keys), Cast(values), layout, headCount, kvHeadCount, headDim, Cast(output), _parallel);

    /// <inheritdoc />
    public void SwiGlu(IDeviceBuffer gate, IDeviceBuffer up, IDeviceBuffer output)
    {
        CpuBuffer g = Cast(gate), u = Cast(up), y = Cast(output);
        y.Rows = g.Rows;
        Parallel.For(0, g.Rows, _parallel, r =>
        {
            Span<float> target = y.Row(r);
            TensorPrimitives.Sigmoid(g.Row(r), target);
            TensorPrimitives.Multiply(target, g.Row(r), target);
            TensorPrimitives.Multiply(target, u.Row(r), target);
        });
    }

    /// <inheritdoc />
    public void Add(IDeviceBuffer accumulator, IDeviceBuffer addend)
    {
        CpuBuffer a = Cast(accumulator), b = Cast(addend);
        for (int r = 0; r < a.Rows; r++)
        {
            TensorPrimitives.Add(a.Row(r), b.Row(r), a.Row(r));
        }
    }

    /// <inheritdoc />
    public void AddRmsNorm(IDeviceBuffer accumulator, IDeviceBuffer addend, IWeight weight, float epsilon, IDeviceBuffer output)
    {
        CpuBuffer a = Cast(accumulator), b = Cast(addend), y = Cast(output);
        float[] scale = Cast(weight).Vector ?? throw new ArgumentException("An RMSNorm weight has one row.", nameof(weight));
        if (b.Rows != a.Rows || b.Columns != a.Columns || y.Columns != a.Columns || scale.Length != a.Columns)
        {
            throw new ArgumentException($"AddRmsNorm over [{a.Rows} x {a.Columns}] needs an addend of that shape, an output and a weight of {a.Columns} columns.", nameof(addend));
        }

        y.Rows = a.Rows;
        int columns = a.Columns;
        Parallel.For(0, a.Rows, _parallel, r =>
        {
            TensorPrimitives.Add(a.Row(r), b.Row(r), a.Row(r));
            NormaliseRms(a.Data + ((long)r * columns), y.Data + ((long)r * columns), columns, scale, epsilon);
        });
    }

    /// <inheritdoc />
    public void GatherRows(IDeviceBuffer input, ReadOnlySpan<int> rows, IDeviceBuffer output)
    {
        CpuBuffer x = Cast(input), y = Cast(output);
        y.Rows = rows.Length;
        for (int i = 0; i < rows.Length; i++)
        {
            x.Row(rows[i]).CopyTo(y.Row(i));
        }
    }

    /// <inheritdoc />
    public void AddLogitBias(IDeviceBuffer logits, ReadOnlySpan<LogitBiasRows> spans, ReadOnlySpan<TokenBias> biases)
    {
        CpuBuffer x = Cast(logits);
        LogitBiasRows.Check(x.Rows, x.Columns, spans, biases);
        foreach (LogitBiasRows span in spans)
        {
            for (int r = span.FirstRow; r < span.FirstRow + span.RowCount; r++)
            {
                foreach (TokenBias bias in biases.Slice(span.FirstBias, span.BiasCount))
                {
                    x.Data[((long)r * x.Columns) + bias.Token] += bias.Bias;
                }
            }
        }
    }

    /// <inheritdoc />
    public void TopLogprobs(IDeviceBuffer logits, ReadOnlySpan<TopLogprobsRow> rows, int count, int suppressedToken, Span<TokenLogprob> results)
    {
        CpuBuffer x = Cast(logits);
        TopLogprobsRow.Check(x.Rows, x.Columns, rows, count, suppressedToken, results.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            var row = new ReadOnlySpan<float>(x.Data + ((long)rows[i].LogitRow * x.Columns), x.Columns);
            Span<TokenLogprob> listed = results.Slice(i * count, count);
            CpuTopTokens.Rank(row, suppressedToken, listed);
            float chosen = row[rows[i].ChosenToken];
            foreach (ref TokenLogprob alternative in listed)
            {
                float logProbability = rows[i].ChosenLogProbability + (row[alternative.Token] - chosen);
                alternative = alternative with { LogProbability = logProbability > 0f ? 0f : logProbability };
            }
        }
    }

    /// <inheritdoc />
    public void ScoreLogits(IDeviceBuffer logits, ReadOnlySpan<RowSampling> sampling, int suppressedToken, Span<TokenScore> results)
    {
        CpuBuffer l = Cast(logits);
        if (sampling.Length != l.Rows || results.Length != l.Rows)
        {
            throw new ArgumentException($"{l.Rows} logit rows need as many sampling entries ({sampling.Length}) and results ({results.Length}).");
        }

        RowSampling[] settings = sampling.ToArray();
        var scores = new TokenScore[l.Rows];
        int vocab = l.Columns;
        Parallel.For(
            0,
            l.Rows,
            _parallel,
            () => (IntPtr)NativeMemory.AlignedAlloc((nuint)(vocab * sizeof(float)), 64),
            (r, _, scratch) =>
            {
                scores[r] = CpuLogitScorer.Score(l.Data + ((long)r * vocab), vocab, settings[r], suppressedToken, (float*)scratch);
                return scratch;
            },
            scratch => NativeMemory.AlignedFree((void*)scratch));
        scores.CopyTo(results);
    }

    /// <inheritdoc />
    public int MaxSelectionRows => int.MaxValue;

    /// <inheritdoc />
    public bool CanSelect(CommitPolicy policy) => true;

    /// <inheritdoc />
    public void ScoreAndSelect(
        IDeviceBuffer logits,
        ReadOnlySpan<RowSampling> sampling,
        int suppressedToken,
        ReadOnlySpan<int> positions,
        ReadOnlySpan<int> rowOffsets,
        ReadOnlySpan<CommitPolicy> policies,
        Span<CommittedToken> committed,
        Span<int> counts)
    {
        CpuBuffer l = Cast(logits);
        CommitSelection.CheckBatch(l.Rows, positions, rowOffsets, policies, committed.Length, counts.Length, MaxSelectionRows);
        var scores = new TokenScore[l.Rows];
        ScoreLogits(logits, sampling, suppressedToken, scores);
        CommitSelection.SelectBatch(scores, positions, rowOffsets, policies, committed, counts);
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    // Every layer rotates with the same frequencies; compute them once per (head width, θ).
    private float[] InverseFrequencies(int headDim, double theta)
    {
        RopeFrequencies? cached = Volatile.Read(ref _ropeFrequencies);
        if (cached is null || cached.HeadDim != headDim || cached.Theta != theta)
        {
            cached = new RopeFrequencies(headDim, theta, RotaryEmbedding.InverseFrequencies(headDim, theta));
            Volatile.Write(ref _ropeFrequencies, cached);
        }

        return cached.Values;
    }

    private sealed record RopeFrequencies(int HeadDim, double Theta, float[] Values);

    private static CpuBuffer Cast(IDeviceBuffer buffer) =>
        buffer as CpuBuffer ?? throw new ArgumentException("The buffer belongs to another backend.", nameof(buffer));

    private static CpuWeight Cast(IWeight weight) =>
        weight as CpuWeight ?? throw new ArgumentException("The weight belongs to another backend.", nameof(weight));

    // RMSNorm of one vector of `width`; source and target may be the same memory.
    private static void NormaliseRms(float* source, float* target, int width, float[] scale, float epsilon)
    {
        float meanSquare = FixedOrderMath.Dot(source, source, width) / width;
        float inverse = 1f / MathF.Sqrt(meanSquare + epsilon);
        var output = new Span<float>(target, width);
        TensorPrimitives.Multiply(new ReadOnlySpan<float>(source, width), inverse, output);
        TensorPrimitives.Multiply(output, scale, output);
    }
}
