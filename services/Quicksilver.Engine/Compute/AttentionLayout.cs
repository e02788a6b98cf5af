namespace Quicksilver.Engine.Compute;

/// <summary>
/// Where each sequence of a packed (variable-length) batch lives in the query rows, and which keys and values it
/// attends to. <see cref="QueryOffsets"/> is a prefix sum of length <c>sequences + 1</c> (<c>cu_seqlens</c>): sequence s
/// owns query rows <c>[QueryOffsets[s], QueryOffsets[s+1])</c> and attends, without a causal mask, to
/// <see cref="Keys"/>[s] — its own rows of the packed key/value buffers, or positions of its K/V cache at layer
/// <see cref="CacheLayer"/>. Sequences of both kinds can share one batch.
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

    /// <summary>Number of sequences in the batch.</summary>
    public int SequenceCount => Keys.Count;

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
