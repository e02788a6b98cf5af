namespace Quicksilver.Engine.Compute.Tests;

/// <summary>
/// Two sequences of grouped-query attention (4 query heads over 2 key/value heads of 32) in one call: A attends to
/// its 7 packed key rows, B to 9 keys that <see cref="IComputeBackend.WriteKvCache"/> stored at positions 2..10 of
/// layer 1 of a K/V cache (2 layers × 12 positions). Run on any backend; also without the cache, for reference.
/// </summary>
internal sealed class CachedAttentionScenario
{
    public const int Heads = 4, KvHeads = 2, HeadDim = 32;
    private const int QueriesA = 5, QueriesB = 3, KeysA = 7, KeysB = 9, CacheLayer = 1, FirstPosition = 2;

    private readonly float[] _queries;
    private readonly float[] _keys;
    private readonly float[] _values;

    public CachedAttentionScenario(Func<int, float[]> values)
    {
        _queries = values((QueriesA + QueriesB) * Heads * HeadDim);
        _keys = values((KeysA + KeysB) * KvHeads * HeadDim);
        _values = values((KeysA + KeysB) * KvHeads * HeadDim);
    }

    /// <summary>The attention output, B's keys read from the cache (<paramref name="fromCache"/>) or from the packed rows.</summary>
    public float[] Attend(IComputeBackend backend, bool fromCache)
    {
        using IDeviceBuffer q = Upload(backend, _queries, Heads * HeadDim), k = Upload(backend, _keys, KvHeads * HeadDim), v = Upload(backend, _values, KvHeads * HeadDim);
        using IDeviceBuffer output = backend.Allocate(QueriesA + QueriesB, Heads * HeadDim);
        using IKvCache cache = backend.AllocateKvCache(2, 12, KvHeads * HeadDim);
        int[] queryOffsets = [0, QueriesA, QueriesA + QueriesB];
        AttentionLayout layout = AttentionLayout.Packed(queryOffsets, [0, KeysA, KeysA + KeysB]);
        if (fromCache)
        {
            backend.WriteKvCache(k, v, CacheLayer, [new KvCacheWrite(cache, KeysA, FirstPosition, KeysB)]);
            layout = new AttentionLayout(queryOffsets, [new AttentionKeys(0, KeysA), new AttentionKeys(FirstPosition, KeysB, cache)]) { CacheLayer = CacheLayer };
        }

        backend.Attention(q, k, v, layout, Heads, KvHeads, HeadDim, output);
        var result = new float[output.Rows * output.Columns];
        backend.Download(output, result);
        return result;
    }

    private static IDeviceBuffer Upload(IComputeBackend backend, float[] data, int columns)
    {
        IDeviceBuffer buffer = backend.Allocate(data.Length / columns, columns);
        backend.Upload(data, buffer);
        return buffer;
    }
}
