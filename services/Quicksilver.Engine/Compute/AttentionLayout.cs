namespace Quicksilver.Engine.Compute;

/// <summary>
/// Where each sequence of a packed (variable-length) batch lives in the query rows, and which keys and values it
/// attends to. <see cref="QueryOffsets"/> is a prefix sum of length <c>sequences + 1</c> (<c>cu_seqlens</c>): sequence s
/// owns query rows <c>[QueryOffsets[s], QueryOffsets[s+1])</c> and attends, without a causal mask, to
/// <see cref="Keys"/>[s] — its own rows of the packed key/value buffers, or positions of its K/V cache at layer
/// <see cref="CacheLayer"/>. Sequences of both kinds can share one batch. With <see cref="CausalBlockLength"/> each
/// query sees only a prefix of its sequence's keys (<see cref="VisibleKeys"/>).
/// </summary>
public sealed record AttentionLayout
{
    /// <summary>Creates a layout; <paramref name="keys"/> has one entry per sequence of <paramref name="queryOffsets"/>.</summary>
    public AttentionLayout(int[] queryOffsets, IReadOnlyList<AttentionKeys> keys)
    {
        ArgumentNullException.ThrowIfNull(queryOffsets);
        ArgumentNullException.ThrowIfNull(keys);
        if (queryOffsets.Length != keys.Count + 1)
        {
            throw new ArgumentException($"{queryOffsets.Length} query offsets describe {queryOffsets.Length - 1} sequences, but {keys.Count} have keys.", nameof(keys));
        }

        QueryOffsets = queryOffsets;
        Keys = keys;
    }

    /// <summary>Query row prefix sums, <c>sequences + 1</c> entries from 0.</summary>
    public int[] QueryOffsets { get; }

    /// <summary>Each sequence's keys and values.</summary>
    public IReadOnlyList<AttentionKeys> Keys { get; }

    /// <summary>The layer whose cache entries are read, for sequences whose keys are in a cache.</summary>
    public int CacheLayer { get; init; }

    /// <summary>
    /// Block-causal attention (BD3-LM, SDAR, Fast-dLLM v2) over blocks of this many canvas positions from position 0:
    /// a query sees the keys of its own block and of every earlier block, bidirectionally within its block. Zero (the
    /// default): every query sees every key of its sequence.
    /// </summary>
    public int CausalBlockLength { get; init; }

    /// <summary>Number of sequences in the batch.</summary>
    public int SequenceCount => Keys.Count;

    /// <summary>
    /// How many of <paramref name="keys"/> (from the first) query row <paramref name="row"/> of that sequence attends
    /// to: all of them, or with <see cref="CausalBlockLength"/> B those before the end of the query's block,
    /// <c>min(Count, (p / B + 1) · B)</c> at canvas position <c>p = FirstQueryPosition + row</c>. Reference for the
    /// rule in <c>kernels/attention.cu</c>.
    /// </summary>
    public int VisibleKeys(AttentionKeys keys, int row)
    {
        if (CausalBlockLength <= 0)
        {
            return keys.Count;
        }

        long position = (long)keys.FirstQueryPosition + row;
        return (int)Math.Min(keys.Count, ((position / CausalBlockLength) + 1) * CausalBlockLength);
    }

    /// <summary>A layout where every sequence's queries attend to its own rows of the packed key/value buffers.</summary>
    public static AttentionLayout SelfAttention(int[] offsets) => Packed(offsets, offsets);

    /// <summary>A layout over packed buffers only: sequence s attends to key rows <c>[keyOffsets[s], keyOffsets[s+1])</c>.</summary>
    public static AttentionLayout Packed(int[] queryOffsets, int[] keyOffsets)
    {
        ArgumentNullException.ThrowIfNull(keyOffsets);
        var keys = new AttentionKeys[Math.Max(keyOffsets.Length - 1, 0)];
        for (int s = 0; s < keys.Length; s++)
        {
            keys[s] = new AttentionKeys(keyOffsets[s], keyOffsets[s + 1] - keyOffsets[s]);
        }

        return new AttentionLayout(queryOffsets, keys);
    }
}
