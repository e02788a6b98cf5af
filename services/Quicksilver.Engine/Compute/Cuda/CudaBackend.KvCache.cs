using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <content>K/V caches (Fast-dLLM block caching): bf16 device memory written by <c>kernels/kv_cache.cu</c>.</content>
public sealed partial class CudaBackend
{
    /// <inheritdoc />
    public long KvCacheBytes(int layers, int positions, int keyValueWidth) => CudaKvCache.BytesFor(layers, positions, keyValueWidth);

    /// <inheritdoc />
    public IKvCache AllocateKvCache(int layers, int positions, int keyValueWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(positions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keyValueWidth);
        MakeCurrent();
        return new CudaKvCache(CudaDeviceMemoryHandle.Allocate(CudaKvCache.BytesFor(layers, positions, keyValueWidth), Ctx), layers, positions, keyValueWidth);
    }

    /// <inheritdoc />
    public void WriteKvCache(IDeviceBuffer keys, IDeviceBuffer values, int layer, ReadOnlySpan<KvCacheWrite> writes)
    {
        CudaBuffer k = AsBuffer(keys, nameof(keys));
        CudaBuffer v = AsBuffer(values, nameof(values));
        RequireBf16(k, nameof(keys));
        RequireBf16(v, nameof(values));
        RequireColumns(v, k.Columns, nameof(values));
        int rows = 0;
        foreach (KvCacheWrite write in writes)
        {
            KvCacheArguments.CheckWrite(write, layer, k.Columns, Math.Min(k.Rows, v.Rows));
            _ = AsKvCache(write.Cache, nameof(writes));
            rows += write.Count;
        }

        MakeCurrent();
        if (rows == 0)
        {
            return;
        }

        // One entry per row; the table does not depend on the layer, so every layer of a step reuses its upload.
        var table = new KvCacheRowWriteArgs[rows];
        int r = 0;
        foreach (KvCacheWrite write in writes)
        {
            var cache = (CudaKvCache)write.Cache;
            for (int i = 0; i < write.Count; i++)
            {
                table[r++] = new KvCacheRowWriteArgs
                {
                    Keys = cache.KeyAddress(write.Position + i),
                    Values = cache.ValueAddress(write.Position + i),
                    LayerStride = cache.LayerStride,
                    SourceRow = write.SourceRow + i,
                };
            }
        }

        ulong tableOnDevice = kvCacheWriteSlot.Upload<KvCacheRowWriteArgs>(table, stream);
        Launch(KernelCatalog.KvCacheWriteBf16, Dim3.Of(rows), new Dim3(128), 0, [k.Pointer, v.Pointer, tableOnDevice, layer, k.Columns]);
    }

    /// <summary>Where each sequence's keys are, for the attention kernels: packed rows of <paramref name="k"/>/<paramref name="v"/> or a cache's rows.</summary>
    private static AttentionKeysArgs[] KeysOnDevice(AttentionLayout layout, CudaBuffer k, CudaBuffer v)
    {
        var keys = new AttentionKeysArgs[layout.SequenceCount];
        for (int s = 0; s < keys.Length; s++)
        {
            AttentionKeys source = layout.Keys[s];
            if (source.Cache is null)
            {
                KvCacheArguments.CheckKeys(source, Math.Min(k.Rows, v.Rows), s);
                ulong offset = (ulong)((long)source.Start * k.Columns * k.ElementSize);
                keys[s] = new AttentionKeysArgs { Keys = k.Pointer + offset, Values = v.Pointer + offset, Count = source.Count, FirstQueryPosition = source.FirstQueryPosition };
            }
            else
            {
                KvCacheArguments.CheckLayer(source.Cache, layout.CacheLayer, k.Columns, $"sequence {s}");
                KvCacheArguments.CheckKeys(source, source.Cache.Positions, s);
                CudaKvCache cache = AsKvCache(source.Cache, nameof(layout));
                keys[s] = new AttentionKeysArgs
                {
                    Keys = cache.KeyAddress(source.Start),
                    Values = cache.ValueAddress(source.Start),
                    LayerStride = cache.LayerStride,
                    Count = source.Count,
                    FirstQueryPosition = source.FirstQueryPosition,
                };
            }
        }

        return keys;
    }

    private static CudaKvCache AsKvCache(IKvCache cache, string parameter)
    {
        ArgumentNullException.ThrowIfNull(cache, parameter);
        return cache as CudaKvCache
            ?? throw new ArgumentException($"{parameter} holds a {cache.GetType().Name}, not a K/V cache of the CUDA backend.", parameter);
    }
}
