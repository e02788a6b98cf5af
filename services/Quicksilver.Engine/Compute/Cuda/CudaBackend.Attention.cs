using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <content>Attention: the tensor-core kernel, its keys split across blocks when the launch is too small to fill the GPU.</content>
public sealed partial class CudaBackend
{
    private const int MaxGridZ = 65535;

    private CudaDeviceMemoryHandle? attentionPartials;

    /// <summary>
    /// How many shares the tensor-core attention kernel splits each sequence's keys into: <c>null</c> (the default)
    /// chooses per launch (<see cref="Cuda.AttentionKeySplits.Choose"/>); a number fixes it, for checks and for
    /// timing a block step against the unsplit kernel (1).
    /// </summary>
    public int? AttentionKeySplits
    {
        get;
        set => field = value is null or (>= 1 and <= Cuda.AttentionKeySplits.Max)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"Between 1 and {Cuda.AttentionKeySplits.Max}, or null to choose per launch.");
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
        IDeviceBuffer output)
    {
        CudaBuffer q = AsBuffer(queries, nameof(queries));
        CudaBuffer k = AsBuffer(keys, nameof(keys));
        CudaBuffer v = AsBuffer(values, nameof(values));
        CudaBuffer o = AsBuffer(output, nameof(output));
        ArgumentNullException.ThrowIfNull(layout);
        RequireBf16(q, nameof(queries));
        RequireBf16(k, nameof(keys));
        RequireBf16(v, nameof(values));
        RequireBf16(o, nameof(output));
        if (!KernelCatalog.IsSupportedHeadDim(headDim))
        {
            throw new NotSupportedException($"The CUDA attention kernels are built for head widths 32, 64 and 128, not {headDim}.");
        }

        if (headCount <= 0 || kvHeadCount <= 0 || headCount % kvHeadCount != 0)
        {
            throw new ArgumentException($"{headCount} query heads cannot share {kvHeadCount} key/value heads evenly.", nameof(kvHeadCount));
        }

        RequireColumns(q, headCount * headDim, nameof(queries));
        RequireColumns(k, kvHeadCount * headDim, nameof(keys));
        RequireColumns(v, kvHeadCount * headDim, nameof(values));
        RequireColumns(o, headCount * headDim, nameof(output));
        int sequences = layout.SequenceCount;
        int maxQuery = ValidateOffsets(layout.QueryOffsets, q.Rows, "QueryOffsets");
        AttentionKeysArgs[] sources = KeysOnDevice(layout, k, v);
        RequireCapacity(o, q.Rows, nameof(output));
        MakeCurrent();
        o.Rows = q.Rows;
        if (sequences == 0 || maxQuery == 0)
        {
            return;
        }

        // cu_seqlens of the queries and the key table: both the same for every layer of a step, so uploaded once.
        ulong cuQ = layoutSlot.Upload<int>(layout.QueryOffsets, stream);
        ulong keyTable = attentionKeysSlot.Upload<AttentionKeysArgs>(sources, stream);
        float scale = 1f / MathF.Sqrt(headDim);
        float scaleLog2 = scale * 1.4426950408889634f;

        if (!useTensorCoreAttention)
        {
            var simpleGrid = new Dim3((uint)((maxQuery + 3) / 4), (uint)headCount, (uint)sequences);
            Launch(
                KernelCatalog.Attention(tensorCores: false, headDim),
                simpleGrid,
                new Dim3(128),
                0,
                [q.Pointer, o.Pointer, cuQ, keyTable, layout.CacheLayer, headCount, kvHeadCount, scale, scaleLog2, layout.CausalBlockLength]);
            return;
        }

        int queryTiles = (maxQuery + 63) / 64;
        int longestKeys = sources.Max(source => source.Count);
        int splits = AttentionKeySplits ?? Compute.Cuda.AttentionKeySplits.Choose(queryTiles * headCount * sequences, longestKeys, Device.MultiprocessorCount);
        splits = Math.Min(splits, Math.Max(1, MaxGridZ / sequences)); // grid z is sequences × splits
        int rows = layout.QueryOffsets[^1];
        ulong partial = 0;
        if (splits > 1)
        {
            partial = EnsureDeviceBytes(ref attentionPartials, (long)splits * rows * headCount * (headDim + 2) * sizeof(float)).Pointer;
        }

        Launch(
            KernelCatalog.Attention(tensorCores: true, headDim),
            new Dim3((uint)queryTiles, (uint)headCount, (uint)(sequences * splits)),
            new Dim3(128),
            0,
            [q.Pointer, o.Pointer, cuQ, keyTable, layout.CacheLayer, headCount, kvHeadCount, scale, scaleLog2, layout.CausalBlockLength, splits, partial, rows]);
        if (splits > 1)
        {
            Launch(
                KernelCatalog.AttentionCombine,
                Dim3.Blocks((long)rows * headCount, 4),
                new Dim3(128),
                0,
                [partial, o.Pointer, rows, headCount, headDim, splits]);
        }
    }
}
