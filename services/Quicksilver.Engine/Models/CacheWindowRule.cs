using Quicksilver.Engine.Decoding;

namespace Quicksilver.Engine.Models;

/// <summary>
/// Which rows a K/V cache window must compute so that it scores a block's positions as the whole canvas would, given
/// how a model's rows depend on each other. For bidirectional attention the window holds the block itself, and for
/// shifted logits (Dream) the row before it, which scores its first position (<see cref="LogitShift"/>). For
/// block-causal attention (<see cref="ModelConfig.AttentionBlockLength"/>) it is whole attention blocks, from that of
/// the row scoring the block's first position to that of the row scoring its last (<see cref="End"/>): the committed
/// rows that share the first attention block see the block's commits, and so do the masks that share the last; every
/// row before the window sees only rows before it and every row after it is invisible to the window, so the cache is
/// exact, in both the prefix and the dual mode, and neither needs the rows after the window (<see cref="ReadEnd"/>).
/// </summary>
/// <param name="ShiftLogits">Whether position i is scored from row i − 1.</param>
/// <param name="AttentionBlockLength">The attention block of a block-causal model; zero for bidirectional attention.</param>
public readonly record struct CacheWindowRule(bool ShiftLogits, int AttentionBlockLength)
{
    /// <summary>The rule of a model.</summary>
    public static CacheWindowRule Of(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new CacheWindowRule(config.ShiftLogits, config.AttentionBlockLength);
    }

    /// <summary>The first row a window must compute to score positions from <paramref name="blockStart"/> on.</summary>
    public int Start(int blockStart)
    {
        int row = LogitShift.ScoreRow(blockStart, ShiftLogits);
        return AttentionBlockLength > 0 ? row / AttentionBlockLength * AttentionBlockLength : row;
    }

    /// <summary>
    /// One past the last row a pass without a cache must compute so that row <paramref name="lastScoreRow"/> is as the
    /// whole canvas would make it: the canvas for bidirectional attention; for block-causal attention the end of that
    /// row's attention block, since no row at or before it sees a later one.
    /// </summary>
    public int UncachedEnd(int lastScoreRow, int canvasLength) =>
        AttentionBlockLength > 0 ? AttentionBlockEnd(lastScoreRow, canvasLength) : canvasLength;

    /// <summary>
    /// The first row the refresh of the block after the one from <paramref name="finishedBlockStart"/> computes. For
    /// bidirectional attention every row sees the finished block's commits, so only a refresh from 0 is exact; the
    /// request's <paramref name="refresh"/> may start it at the answer (<paramref name="promptLength"/>) or at the
    /// finished block, keeping the cached rows before (<see cref="KvCacheRefresh"/>). For block-causal attention it is
    /// the start of the finished block's first attention block, the first row that could see one of its masks, whatever
    /// <paramref name="refresh"/> says: every row before it was computed by the finished block's steps or earlier, with
    /// the final tokens of every row it sees, and no later step writes it: with shifted logits a block that starts an
    /// attention block (an opener) computes the block before it, whose rows see nothing of the opener.
    /// </summary>
    public int RefreshStart(int finishedBlockStart, KvCacheRefresh refresh, int promptLength) =>
        AttentionBlockLength > 0 ? finishedBlockStart / AttentionBlockLength * AttentionBlockLength : refresh switch
        {
            KvCacheRefresh.Canvas => 0,
            KvCacheRefresh.Answer => promptLength,
            KvCacheRefresh.Frontier => finishedBlockStart,
            _ => throw new ArgumentOutOfRangeException(nameof(refresh), refresh, "Unknown K/V cache refresh."),
        };

    /// <summary>
    /// One past the last row that any row of a block's windows can attend to, for the block ending before
    /// <paramref name="blockEnd"/>: what a refresh and a prefix window compute up to. The canvas for bidirectional
    /// attention; for block-causal attention the window's <see cref="End"/>, since no row before it sees a later one:
    /// the later rows' cached keys are never read before a later block's refresh recomputes them.
    /// </summary>
    public int ReadEnd(int blockEnd, int canvasLength) => AttentionBlockLength > 0 ? End(blockEnd, canvasLength) : canvasLength;

    /// <summary>
    /// One past the last row a window must compute to score positions before <paramref name="blockEnd"/>, on a canvas
    /// of <paramref name="canvasLength"/>: the block's end for bidirectional attention; for block-causal attention the
    /// end of the attention block of the row that scores the block's last position. With shifted logits a block of
    /// one position that starts an attention block (a Fast-dLLM v2 opener) is scored from the block before, which
    /// sees nothing of the new one, so its window stops where the new attention block starts.
    /// </summary>
    public int End(int blockEnd, int canvasLength) => AttentionBlockLength > 0
        ? AttentionBlockEnd(LogitShift.ScoreRow(blockEnd - 1, ShiftLogits), canvasLength)
        : blockEnd;

    private int AttentionBlockEnd(int row, int canvasLength) =>
        (int)Math.Min(canvasLength, ((long)row / AttentionBlockLength + 1) * AttentionBlockLength);
}
