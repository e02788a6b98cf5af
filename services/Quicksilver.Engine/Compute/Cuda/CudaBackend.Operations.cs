using System.Runtime.InteropServices;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <content>The step operations of <see cref="IComputeBackend"/>: argument checks, then one launch each.</content>
public sealed partial class CudaBackend
{
    private const int ElementwiseBlock = 256;

    // Both norm kernels reduce with this many threads, so the fused one's sums are bit-identical to the plain one's.
    private const int NormBlock = 256;

    /// <inheritdoc />
    public void Embed(IWeight table, ReadOnlySpan<int> tokens, IDeviceBuffer output)
    {
        CudaWeight t = AsWeight(table, nameof(table));
        CudaBuffer o = AsBuffer(output, nameof(output));
        RequireBf16(o, nameof(output));
        if (t.ElementType != CudaElementType.BFloat16 || o.Columns != t.Columns)
        {
            throw new ArgumentException($"Embedding table '{t.Name}' is [{t.Rows} x {t.Columns}]; the output has {o.Columns} columns.", nameof(output));
        }

        RequireCapacity(o, tokens.Length, nameof(output));
        for (int i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)t.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(tokens), $"Token {tokens[i]} at index {i} is outside the vocabulary of {t.Rows}.");
            }
        }

        MakeCurrent();
        o.Rows = tokens.Length;
        if (tokens.Length == 0)
        {
            return;
        }

        ulong ids = tokenSlot.Upload(tokens, stream);
        Launch(KernelCatalog.EmbedBf16, Dim3.Of(tokens.Length), new Dim3(128), 0, [t.Pointer, ids, o.Pointer, o.Columns]);
    }

    /// <inheritdoc />
    public void RmsNorm(IDeviceBuffer input, IWeight weight, float epsilon, IDeviceBuffer output)
    {
        CudaBuffer x = AsBuffer(input, nameof(input));
        CudaWeight w = AsWeight(weight, nameof(weight));
        CudaBuffer y = AsBuffer(output, nameof(output));
        RequireBf16(x, nameof(input));
        RequireBf16(y, nameof(output));
        RequireVector(w, x.Columns, nameof(weight));
        RequireColumns(y, x.Columns, nameof(output));
        RequireCapacity(y, x.Rows, nameof(output));
        MakeCurrent();
        y.Rows = x.Rows;
        LaunchRmsNorm(x.Pointer, w.Pointer, y.Pointer, x.Rows, x.Columns, epsilon);
    }

    /// <inheritdoc />
    public void HeadRmsNorm(IDeviceBuffer queriesOrKeys, IWeight weight, int headCount, float epsilon)
    {
        CudaBuffer x = AsBuffer(queriesOrKeys, nameof(queriesOrKeys));
        CudaWeight w = AsWeight(weight, nameof(weight));
        RequireBf16(x, nameof(queriesOrKeys));
        if (headCount <= 0 || x.Columns % headCount != 0)
        {
            throw new ArgumentException($"Rows of {x.Columns} do not split into {headCount} heads.", nameof(headCount));
        }

        RequireVector(w, x.Columns / headCount, nameof(weight));
        MakeCurrent();

        // A packed [rows, heads × head_dim] matrix is a [rows × heads, head_dim] one: one kernel block per head, in place.
        LaunchRmsNorm(x.Pointer, w.Pointer, x.Pointer, checked(x.Rows * headCount), x.Columns / headCount, epsilon);
    }

    private void LaunchRmsNorm(ulong input, ulong weight, ulong output, int rows, int columns, float epsilon)
    {
        if (rows == 0)
        {
            return;
        }

        Launch(KernelCatalog.RmsNormBf16, Dim3.Of(rows), new Dim3(NormBlock), 0, [input, weight, output, columns, epsilon]);
    }

    /// <inheritdoc />
    public void MatMul(IDeviceBuffer input, IWeight weight, IWeight? bias, IDeviceBuffer output) =>
        RunProducts([CheckProduct(input, weight, bias, output)]);

    private static GemmProduct CheckProduct(IDeviceBuffer input, IWeight weight, IWeight? bias, IDeviceBuffer output)
    {
        CudaBuffer x = AsBuffer(input, nameof(input));
        CudaWeight w = AsWeight(weight, nameof(weight));
        CudaBuffer y = AsBuffer(output, nameof(output));
        RequireBf16(x, nameof(input));
        if (w.ElementType != CudaElementType.BFloat16 || w.Columns != x.Columns)
        {
            throw new ArgumentException($"Weight '{w.Name}' is [{w.Rows} x {w.Columns}] {w.ElementType}; the input has {x.Columns} columns.", nameof(weight));
        }

        RequireColumns(y, w.Rows, nameof(output));
        RequireCapacity(y, x.Rows, nameof(output));
        CudaWeight? b = bias is null ? null : AsWeight(bias, nameof(bias));
        if (b is not null)
        {
            RequireVector(b, w.Rows, nameof(bias));
        }

        return new GemmProduct(x, w, b, y);
    }

    /// <inheritdoc />
    public void ApplyRope(IDeviceBuffer queries, int queryHeadCount, IDeviceBuffer keys, int keyHeadCount, int headDim, ReadOnlySpan<int> positions, double theta)
    {
        CudaBuffer q = AsBuffer(queries, nameof(queries));
        CudaBuffer k = AsBuffer(keys, nameof(keys));
        RequireBf16(q, nameof(queries));
        RequireBf16(k, nameof(keys));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queryHeadCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keyHeadCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(headDim);
        if ((long)queryHeadCount * headDim > q.Columns || (long)keyHeadCount * headDim > k.Columns || headDim % 2 != 0)
        {
            throw new ArgumentException($"RoPE over {queryHeadCount} query and {keyHeadCount} key heads of {headDim} does not fit rows of {q.Columns} and {k.Columns} (head width must be even).", nameof(headDim));
        }

        if (positions.Length != q.Rows || positions.Length != k.Rows)
        {
            throw new ArgumentException($"{positions.Length} positions for {q.Rows} query and {k.Rows} key rows.", nameof(positions));
        }

        MakeCurrent();
        if (q.Rows == 0)
        {
            return;
        }

        ulong table = RopeTable(headDim, theta);
        ulong pos = positionSlot.Upload(positions, stream);
        long pairs = (long)q.Rows * (queryHeadCount + keyHeadCount) * (headDim / 2);
        Launch(
            KernelCatalog.RopeNeoxBf16,
            Dim3.Blocks(pairs, ElementwiseBlock),
            new Dim3(ElementwiseBlock),
            0,
            [q.Pointer, k.Pointer, pos, table, q.Rows, queryHeadCount, keyHeadCount, headDim, q.Columns, k.Columns]);
    }

    /// <inheritdoc />
    public void SwiGlu(IDeviceBuffer gate, IDeviceBuffer up, IDeviceBuffer output)
    {
        CudaBuffer g = AsBuffer(gate, nameof(gate));
        CudaBuffer u = AsBuffer(up, nameof(up));
        CudaBuffer o = AsBuffer(output, nameof(output));
        RequireBf16(g, nameof(gate));
        RequireBf16(u, nameof(up));
        RequireBf16(o, nameof(output));
        RequireSameShape(g, u, nameof(up));
        RequireColumns(o, g.Columns, nameof(output));
        RequireCapacity(o, g.Rows, nameof(output));
        MakeCurrent();
        o.Rows = g.Rows;
        long n = g.ElementCount;
        if (n == 0)
        {
            return;
        }

        Launch(KernelCatalog.SwiGluBf16, Dim3.Blocks(n % 8 == 0 ? n / 8 : n, ElementwiseBlock), new Dim3(ElementwiseBlock), 0, [g.Pointer, u.Pointer, o.Pointer, n]);
    }

    /// <inheritdoc />
    public void Add(IDeviceBuffer accumulator, IDeviceBuffer addend)
    {
        CudaBuffer a = AsBuffer(accumulator, nameof(accumulator));
        CudaBuffer b = AsBuffer(addend, nameof(addend));
        RequireBf16(a, nameof(accumulator));
        RequireBf16(b, nameof(addend));
        RequireSameShape(a, b, nameof(addend));
        MakeCurrent();
        long n = a.ElementCount;
        if (n == 0)
        {
            return;
        }

        Launch(KernelCatalog.AddBf16, Dim3.Blocks(n % 8 == 0 ? n / 8 : n, ElementwiseBlock), new Dim3(ElementwiseBlock), 0, [a.Pointer, b.Pointer, n]);
    }

    /// <inheritdoc />
    public void AddRmsNorm(IDeviceBuffer accumulator, IDeviceBuffer addend, IWeight weight, float epsilon, IDeviceBuffer output)
    {
        CudaBuffer a = AsBuffer(accumulator, nameof(accumulator));
        CudaBuffer b = AsBuffer(addend, nameof(addend));
        CudaWeight w = AsWeight(weight, nameof(weight));
        CudaBuffer y = AsBuffer(output, nameof(output));
        RequireBf16(a, nameof(accumulator));
        RequireBf16(b, nameof(addend));
        RequireBf16(y, nameof(output));
        RequireSameShape(a, b, nameof(addend));
        RequireVector(w, a.Columns, nameof(weight));
        RequireColumns(y, a.Columns, nameof(output));
        RequireCapacity(y, a.Rows, nameof(output));
        MakeCurrent();
        y.Rows = a.Rows;
        if (a.Rows == 0)
        {
            return;
        }

        Launch(KernelCatalog.AddRmsNormBf16, Dim3.Of(a.Rows), new Dim3(NormBlock), 0, [a.Pointer, b.Pointer, w.Pointer, y.Pointer, a.Columns, epsilon]);
    }

    /// <inheritdoc />
    public void GatherRows(IDeviceBuffer input, ReadOnlySpan<int> rows, IDeviceBuffer output)
    {
        CudaBuffer x = AsBuffer(input, nameof(input));
        CudaBuffer y = AsBuffer(output, nameof(output));
        if (x.ElementType != y.ElementType)
        {
            throw new ArgumentException($"GatherRows from {x.ElementType} into {y.ElementType}.", nameof(output));
        }

        RequireColumns(y, x.Columns, nameof(output));
        RequireCapacity(y, rows.Length, nameof(output));
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)x.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"Row {rows[i]} at index {i} is outside the {x.Rows} rows in use.");
            }
        }

        MakeCurrent();
        y.Rows = rows.Length;
        if (rows.Length == 0)
        {
            return;
        }

        ulong indices = rowSlot.Upload(rows, stream);
        Launch(
            x.ElementType == CudaElementType.BFloat16 ? KernelCatalog.GatherRowsBf16 : KernelCatalog.GatherRowsF32,
            Dim3.Of(rows.Length),
            new Dim3(128),
            0,
            [x.Pointer, indices, y.Pointer, x.Columns]);
    }

    /// <inheritdoc />
    /// <remarks>The spans, then the biases, go up in one copy; one thread block per span.</remarks>
    public unsafe void AddLogitBias(IDeviceBuffer logits, ReadOnlySpan<LogitBiasRows> spans, ReadOnlySpan<TokenBias> biases)
    {
        CudaBuffer x = AsBuffer(logits, nameof(logits));
        LogitBiasRows.Check(x.Rows, x.Columns, spans, biases);
        MakeCurrent();
        if (spans.Length == 0)
        {
            return;
        }

        int spanBytes = spans.Length * sizeof(LogitBiasRows);
        var packed = new byte[spanBytes + (biases.Length * sizeof(TokenBias))];
        MemoryMarshal.AsBytes(spans).CopyTo(packed);
        MemoryMarshal.AsBytes(biases).CopyTo(packed.AsSpan(spanBytes));
        ulong spansOnDevice = logitBiasSlot.Upload<byte>(packed, stream);
        Launch(
            x.ElementType == CudaElementType.Float32 ? KernelCatalog.AddLogitBiasF32 : KernelCatalog.AddLogitBiasBf16,
            Dim3.Of(spans.Length),
            new Dim3(ElementwiseBlock),
            0,
            [x.Pointer, x.Columns, spansOnDevice, spansOnDevice + (ulong)spanBytes]);
    }

    /// <inheritdoc />
    public unsafe void ScoreLogits(IDeviceBuffer logits, ReadOnlySpan<RowSampling> sampling, int suppressedToken, Span<TokenScore> results)
    {
        CudaBuffer x = AsBuffer(logits, nameof(logits));
        if (sampling.Length != x.Rows || results.Length != x.Rows)
        {
            throw new ArgumentException($"ScoreLogits over {x.Rows} rows needs as many sampling entries ({sampling.Length}) and results ({results.Length}).", nameof(sampling));
        }

        MakeCurrent();
        int rows = x.Rows;
        if (rows == 0)
        {
            return;
        }

        ulong scoresOnDevice = QueueScoreLogits(x, sampling, suppressedToken);
        long resultBytes = (long)rows * sizeof(TokenScoreResult);
        byte* host = Staging(resultBytes);
        CudaCheck.Driver(CudaDriverApi.cuMemcpyDtoHAsync_v2(host, scoresOnDevice, (nuint)resultBytes, stream), nameof(CudaDriverApi.cuMemcpyDtoHAsync_v2), "token scores");
        CudaCheck.Driver(CudaDriverApi.cuStreamSynchronize(stream), nameof(CudaDriverApi.cuStreamSynchronize), "waiting for the token scores (a kernel queued earlier may have failed)");
        var scores = new ReadOnlySpan<TokenScoreResult>(host, rows);
        for (int i = 0; i < rows; i++)
        {
            results[i] = scores[i].ToScore();
        }

    }

    /// <summary>
    /// Queues the LM-head epilogue over the rows of <paramref name="x"/> (at least one; <paramref name="sampling"/> has one
    /// entry per row) and returns the device address of its <see cref="TokenScoreResult"/> rows, valid until the next call.
    /// </summary>
    private unsafe ulong QueueScoreLogits(CudaBuffer x, ReadOnlySpan<RowSampling> sampling, int suppressedToken)
    {
        int rows = x.Rows;
        RowSamplingArgs[] parameters = new RowSamplingArgs[rows];
        for (int i = 0; i < rows; i++)
        {
            parameters[i] = RowSamplingArgs.From(sampling[i]);
        }

        ulong parametersOnDevice = samplingSlot.Upload<RowSamplingArgs>(parameters, stream);
        long resultBytes = (long)rows * sizeof(TokenScoreResult);
        CudaDeviceMemoryHandle results = EnsureDeviceBytes(ref scoreResults, resultBytes);

        Launch(
            x.ElementType == CudaElementType.Float32 ? KernelCatalog.ScoreLogitsF32 : KernelCatalog.ScoreLogitsBf16,
            Dim3.Of(rows),
            new Dim3(512),
            0,
            [x.Pointer, x.Columns, parametersOnDevice, suppressedToken, results.Pointer]);

        return results.Pointer;
    }

    private unsafe void Launch(string kernel, Dim3 grid, Dim3 block, uint sharedBytes, params ReadOnlySpan<KernelArgument> arguments)
    {
        nint function = kernels.Get(kernel);
        Launches++;
        int status;
        void** pointers = stackalloc void*[arguments.Length];
        fixed (KernelArgument* values = arguments)
        {
            for (int i = 0; i < arguments.Length; i++)
            {
                pointers[i] = values + i;
            }

            status = CudaDriverApi.cuLaunchKernel(function, grid.X, grid.Y, grid.Z, block.X, block.Y, block.Z, sharedBytes, stream, pointers, null);
        }

        CudaCheck.Driver(status, nameof(CudaDriverApi.cuLaunchKernel), $"kernel {kernel}, grid ({grid.X}, {grid.Y}, {grid.Z}), block ({block.X}, {block.Y}, {block.Z})");
        if (synchronizeEachLaunch)
        {
            CudaCheck.Driver(CudaDriverApi.cuStreamSynchronize(stream), nameof(CudaDriverApi.cuStreamSynchronize), $"after kernel {kernel}");
        }
    }

    private unsafe ulong RopeTable(int headDim, double theta)
    {
        if (!ropeTables.TryGetValue((headDim, theta), out CudaDeviceMemoryHandle? table))
        {
            // The CPU reference's own table: both backends then rotate by bit-identical fp32 angles.
            float[] values = Cpu.RotaryEmbedding.InverseFrequencies(headDim, theta);
            table = CudaDeviceMemoryHandle.Allocate(values.Length * sizeof(float), Ctx);
            fixed (float* p = values)
            {
                CopyToDevice(table.Pointer, (byte*)p, values.Length * sizeof(float));
            }

            ropeTables[(headDim, theta)] = table;
        }

        return table.Pointer;
    }

    private static int ValidateOffsets(int[] offsets, int rows, string name)
    {
        if (offsets.Length < 1 || offsets[0] != 0)
        {
            throw new ArgumentException($"Attention layout {name} must start at 0 and have sequences + 1 entries.", nameof(offsets));
        }

        int longest = 0;
        for (int i = 1; i < offsets.Length; i++)
        {
            int length = offsets[i] - offsets[i - 1];
            if (length < 0)
            {
                throw new ArgumentException($"Attention layout {name} decreases at entry {i} ({offsets[i - 1]} → {offsets[i]}).", nameof(offsets));
            }

            longest = Math.Max(longest, length);
        }

        if (offsets[^1] > rows)
        {
            throw new ArgumentException($"Attention layout {name} ends at row {offsets[^1]} but the buffer has {rows} rows in use.", nameof(offsets));
        }

        return longest;
    }

    private static void RequireBf16(CudaBuffer buffer, string parameter)
    {
        if (buffer.ElementType != CudaElementType.BFloat16)
        {
            throw new NotSupportedException($"{parameter} holds {buffer.ElementType}; this operation runs on bf16 activations (allocate with BufferKind.Activation).");
        }
    }

    private static void RequireColumns(CudaBuffer buffer, int columns, string parameter)
    {
        if (buffer.Columns != columns)
        {
            throw new ArgumentException($"{parameter} has {buffer.Columns} columns; {columns} expected.", parameter);
        }
    }

    private static void RequireCapacity(CudaBuffer buffer, int rows, string parameter)
    {
        if (rows > buffer.Capacity)
        {
            throw new ArgumentException($"{parameter} holds {buffer.Capacity} rows; {rows} needed.", parameter);
        }
    }

    private static void RequireSameShape(CudaBuffer a, CudaBuffer b, string parameter)
    {
        if (a.Rows != b.Rows || a.Columns != b.Columns)
        {
            throw new ArgumentException($"{parameter} is [{b.Rows} x {b.Columns}]; [{a.Rows} x {a.Columns}] expected.", parameter);
        }
    }

    private static void RequireVector(CudaWeight weight, int length, string parameter)
    {
        if (weight.Rows != 1 || weight.Columns != length || weight.ElementType != CudaElementType.Float32)
        {
            throw new ArgumentException($"{parameter} '{weight.Name}' is [{weight.Rows} x {weight.Columns}] {weight.ElementType}; a 1-D vector of {length} expected.", parameter);
        }
    }
}
