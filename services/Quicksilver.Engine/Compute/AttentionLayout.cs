namespace Quicksilver.Engine.Compute;

/// <summary>
/// Where each sequence of a packed (variable-length) batch lives in the query rows and in the key/value rows.
/// Both arrays are prefix sums of length <c>sequences + 1</c> (<c>cu_seqlens</c>): sequence s owns query rows
/// <c>[QueryOffsets[s], QueryOffsets[s+1])</c> and attends, without a causal mask, to key rows
/// <c>[KeyOffsets[s], KeyOffsets[s+1])</c>. For a full-canvas forward both are the same.
/// </summary>
public sealed record AttentionLayout(int[] QueryOffsets, int[] KeyOffsets)
{
    /// <summary>Number of sequences in the batch.</summary>
    public int SequenceCount => QueryOffsets.Length - 1;

    /// <summary>A layout where every sequence's queries attend to its own rows.</summary>
    public static AttentionLayout SelfAttention(int[] offsets) => new(offsets, offsets);
}
