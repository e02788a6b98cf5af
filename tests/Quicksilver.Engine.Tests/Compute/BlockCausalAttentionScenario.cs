namespace Quicksilver.Engine.Compute.Tests;

/// <summary>
/// Block-causal grouped-query attention (4 query heads over 2 key/value heads of 32, blocks of 8 positions) for three
/// sequences in one call: A, a whole canvas of 21 rows over its packed keys; B, a window of 7 query rows at canvas
/// positions 11..17 (across a block boundary) over the 30 positions of its canvas stored in a K/V cache; C, a canvas
/// of 5 rows, shorter than a block. B's cache holds NaN past the last query's block (positions 24..29), as rows a
/// block-causal refresh never wrote may: no query sees them, so they must not reach the output. Run on any backend; <see cref="Reference"/> is float64 attention masked by the
/// definition — query at position p sees key j iff <c>j / 8 ≤ p / 8</c> — pair by pair.
/// </summary>
internal sealed class BlockCausalAttentionScenario
{
    public const int Heads = 4, KvHeads = 2, HeadDim = 32, BlockLength = 8;

    // Per sequence: canvas length (= keys), first query position, query rows; B's keys are read from a cache.
    private static readonly (int Canvas, int FirstQuery, int Queries, bool Cached)[] Sequences = [(21, 0, 21, false), (30, 11, 7, true), (5, 0, 5, false)];

    private readonly float[] _queries;
    private readonly float[] _keys;
    private readonly float[] _values;

    public BlockCausalAttentionScenario(Func<int, float[]> values)
    {
        _queries = values(Sequences.Sum(s => s.Queries) * Heads * HeadDim);
        _keys = values(Sequences.Sum(s => s.Canvas) * KvHeads * HeadDim);
        _values = values(Sequences.Sum(s => s.Canvas) * KvHeads * HeadDim);
        (int canvas, int firstQuery, int queries, _) = Sequences[1];
        int unseen = ((firstQuery + queries - 1) / BlockLength) + 1;
        int firstUnseenRow = Sequences[0].Canvas + (unseen * BlockLength);
        int rowWidth = KvHeads * HeadDim;
        _keys.AsSpan(firstUnseenRow * rowWidth, (Sequences[0].Canvas + canvas - firstUnseenRow) * rowWidth).Fill(float.NaN);
        _values.AsSpan(firstUnseenRow * rowWidth, (Sequences[0].Canvas + canvas - firstUnseenRow) * rowWidth).Fill(float.NaN);
    }

    public float[] Attend(IComputeBackend backend)
    {
        int queryRows = Sequences.Sum(s => s.Queries), keyRows = Sequences.Sum(s => s.Canvas);
        using IDeviceBuffer q = Upload(backend, _queries, Heads * HeadDim), k = Upload(backend, _keys, KvHeads * HeadDim), v = Upload(backend, _values, KvHeads * HeadDim);
        using IDeviceBuffer output = backend.Allocate(queryRows, Heads * HeadDim);
        using IKvCache cache = backend.AllocateKvCache(1, Sequences[1].Canvas, KvHeads * HeadDim);
        var queryOffsets = new int[Sequences.Length + 1];
        var keys = new AttentionKeys[Sequences.Length];
        for (int s = 0, keyRow = 0; s < Sequences.Length; keyRow += Sequences[s].Canvas, s++)
        {
            (int canvas, int firstQuery, int queries, bool cached) = Sequences[s];
            queryOffsets[s + 1] = queryOffsets[s] + queries;
            if (cached)
            {
                backend.WriteKvCache(k, v, 0, [new KvCacheWrite(cache, keyRow, 0, canvas)]);
            }

            keys[s] = cached ? new AttentionKeys(0, canvas, cache, firstQuery) : new AttentionKeys(keyRow, canvas, null, firstQuery);
        }

        backend.Attention(q, k, v, new AttentionLayout(queryOffsets, keys) { CausalBlockLength = BlockLength }, Heads, KvHeads, HeadDim, output);
        var result = new float[queryRows * Heads * HeadDim];
        backend.Download(output, result);
        return result;
    }

    public double[] Reference()
    {
        int group = Heads / KvHeads;
        var output = new double[_queries.Length];
        for (int s = 0, row = 0, keyRow = 0; s < Sequences.Length; keyRow += Sequences[s].Canvas, s++)
        {
            (int canvas, int firstQuery, int queries, _) = Sequences[s];
            for (int i = 0; i < queries; i++, row++)
            {
                int position = firstQuery + i;
                int[] seen = Enumerable.Range(0, canvas).Where(j => j / BlockLength <= position / BlockLength).ToArray();
                for (int h = 0; h < Heads; h++)
                {
                    int kvh = h / group;
                    double[] scores = seen.Select(j => Enumerable.Range(0, HeadDim)
                        .Sum(d => (double)_queries[(((row * Heads) + h) * HeadDim) + d] * _keys[((((keyRow + j) * KvHeads) + kvh) * HeadDim) + d]) / Math.Sqrt(HeadDim)).ToArray();
                    double max = scores.Max();
                    double[] weights = scores.Select(x => Math.Exp(x - max)).ToArray();
                    double total = weights.Sum();
                    for (int d = 0; d < HeadDim; d++)
                    {
                        output[(((row * Heads) + h) * HeadDim) + d] = seen.Select((j, n) => weights[n] / total * _values[((((keyRow + j) * KvHeads) + kvh) * HeadDim) + d]).Sum();
                    }
                }
            }
        }

        return output;
    }

    private static IDeviceBuffer Upload(IComputeBackend backend, float[] data, int columns)
    {
        IDeviceBuffer buffer = backend.Allocate(data.Length / columns, columns);
        backend.Upload(data, buffer);
        return buffer;
    }
}
