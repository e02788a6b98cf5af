namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>
/// How many blocks share one (query tile, head, sequence) of the tensor-core attention kernel, each taking an even
/// share of its 64-key tiles (flash-decoding). A block step of one sequence launches 32 blocks for LLaDA-8B's 32 heads
/// on a GPU of 132 multiprocessors, each walking every key; splitting fills the GPU, at the cost of one small combine
/// launch and an fp32 round trip of the partial rows.
/// </summary>
internal static class AttentionKeySplits
{
    /// <summary>The most splits: beyond this the combine's reads outweigh the parallelism gained.</summary>
    public const int Max = 16;

    /// <summary>Each split walks at least this many 64-key tiles, so a split's fixed cost is amortised.</summary>
    public const int MinTilesPerSplit = 2;

    /// <summary>
    /// 1 when the launch's <paramref name="blocks"/> already cover the <paramref name="multiprocessors"/>; else enough
    /// splits for about two blocks per multiprocessor, bounded by the <paramref name="longestKeys"/>' tiles.
    /// </summary>
    public static int Choose(int blocks, int longestKeys, int multiprocessors)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blocks);
        ArgumentOutOfRangeException.ThrowIfNegative(longestKeys);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(multiprocessors);
        if (blocks >= multiprocessors)
        {
            return 1;
        }

        int tiles = (longestKeys + 63) / 64;
        int toFill = ((2 * multiprocessors) + blocks - 1) / blocks;
        return Math.Clamp(Math.Min(toFill, tiles / MinTilesPerSplit), 1, Max);
    }
}
