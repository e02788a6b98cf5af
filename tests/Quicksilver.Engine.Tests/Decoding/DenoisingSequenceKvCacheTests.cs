using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Tests.Decoding;

/// <summary>Which rows each step computes under each <see cref="KvCacheMode"/>: the refresh at every block boundary, then the Fast-dLLM windows.</summary>
public sealed class DenoisingSequenceKvCacheTests
{
    private const int Mask = 99;

    [Theory]
    [InlineData(KvCacheMode.Prefix, false, 0, new[] { 0, 14, 3, 14, 0, 14, 7, 14, 0, 14 })]
    [InlineData(KvCacheMode.Dual, false, 0, new[] { 0, 14, 3, 7, 0, 14, 7, 11, 0, 14 })]
    [InlineData(KvCacheMode.Prefix, true, 0, new[] { 0, 14, 2, 14, 0, 14, 6, 14, 0, 14 })]
    [InlineData(KvCacheMode.Dual, true, 0, new[] { 0, 14, 2, 7, 0, 14, 6, 11, 0, 14 })]
    [InlineData(KvCacheMode.Prefix, false, 5, new[] { 0, 10, 0, 10, 0, 14, 5, 14, 5, 14 })]
    [InlineData(KvCacheMode.Dual, false, 5, new[] { 0, 10, 0, 10, 0, 14, 5, 14, 5, 14 })]
    [InlineData(KvCacheMode.Prefix, true, 5, new[] { 0, 10, 0, 10, 0, 10, 5, 10, 5, 14 })]
    [InlineData(KvCacheMode.Dual, true, 5, new[] { 0, 10, 0, 10, 0, 10, 5, 10, 5, 14 })]
    public void NextStep_CacheMode_RefreshesAtEachBlockThenComputesItsWindow(KvCacheMode mode, bool shiftLogits, int attentionBlock, int[] expected)
    {
        // Prompt 3, answer 11 in blocks of 4, 4 and 3; two steps for each of the first two blocks, one for the last.
        // With shifted logits (Dream) a window starts one row early: row s − 1 scores the block's first position s.
        // With attention blocks of 5 the windows cover [0, 5) ∪ [5, 10) for the block [3, 7), [5, 10) ∪ [10, 14) for
        // [7, 11); no row of them sees a later attention block, so the refresh and the prefix window end there too, and
        // a refresh starts at the previous block's first attention block: the rows before it are final in the cache. With
        // shifted logits too, row 9 scores position 10, so the windows for [7, 11) end at 10.
        var rule = new CacheWindowRule(shiftLogits, attentionBlock);
        var sequence = new DenoisingSequence([5, 6, 7], DiffusionPlan.Create(11, 4, 5), Settings(mode), Mask, new HashSet<int>(), rule);

        Assert.Equal(expected, Windows(sequence));
    }

    [Theory]
    [InlineData(KvCacheMode.Dual, KvCacheRefresh.Answer, false, 0, new[] { 0, 14, 3, 7, 3, 14, 7, 11, 3, 14 })]
    [InlineData(KvCacheMode.Dual, KvCacheRefresh.Frontier, false, 0, new[] { 0, 14, 3, 7, 3, 14, 7, 11, 7, 14 })]
    [InlineData(KvCacheMode.Prefix, KvCacheRefresh.Answer, false, 0, new[] { 0, 14, 3, 14, 3, 14, 7, 14, 3, 14 })]
    [InlineData(KvCacheMode.Prefix, KvCacheRefresh.Frontier, false, 0, new[] { 0, 14, 3, 14, 3, 14, 7, 14, 7, 14 })]
    [InlineData(KvCacheMode.Dual, KvCacheRefresh.Answer, true, 0, new[] { 0, 14, 2, 7, 3, 14, 6, 11, 3, 14 })]
    [InlineData(KvCacheMode.Dual, KvCacheRefresh.Frontier, true, 0, new[] { 0, 14, 2, 7, 3, 14, 6, 11, 7, 14 })]
    [InlineData(KvCacheMode.Dual, KvCacheRefresh.Answer, false, 5, new[] { 0, 10, 0, 10, 0, 14, 5, 14, 5, 14 })]
    [InlineData(KvCacheMode.Dual, KvCacheRefresh.Frontier, false, 5, new[] { 0, 10, 0, 10, 0, 14, 5, 14, 5, 14 })]
    public void NextStep_LaterRefresh_StartsAtTheAnswerOrTheFinishedBlock(KvCacheMode mode, KvCacheRefresh refresh, bool shiftLogits, int attentionBlock, int[] expected)
    {
        // The layout of the test above. The first refresh fills the cache from row 0; later ones start at the answer
        // (row 3) or at the block just finished ([3, 7), then [7, 11)). With shifted logits the row scoring a block's
        // first position is the finished block's last, inside both. Block-causal models keep their exact refresh, the
        // rows of the test above.
        var rule = new CacheWindowRule(shiftLogits, attentionBlock);
        DecodingSettings settings = Settings(mode) with { KvCacheRefresh = refresh };
        var sequence = new DenoisingSequence([5, 6, 7], DiffusionPlan.Create(11, 4, 5), settings, Mask, new HashSet<int>(), rule);

        Assert.Equal(expected, Windows(sequence));
    }

    [Theory]
    [InlineData(KvCacheRefresh.Answer, new[] { 0, 12, 2, 4, 2, 12, 4, 6, 2, 12, 6, 8 })]
    [InlineData(KvCacheRefresh.Frontier, new[] { 0, 12, 2, 4, 2, 12, 4, 6, 4, 12, 6, 8 })]
    public void NextStep_LaterRefreshWithSuffix_ReachesTheSuffix(KvCacheRefresh refresh, int[] expected)
    {
        // Prompt 2, answer 6 in blocks of 2 (two steps each), suffix 4, dual cache: later refreshes still end at the
        // canvas's end, so the suffix's keys and values see the commits.
        DecodingSettings settings = Settings(KvCacheMode.Dual) with { KvCacheRefresh = refresh };
        var sequence = new DenoisingSequence([5, 6], DiffusionPlan.Create(6, 2, 6), settings, Mask, new HashSet<int>(), suffix: [1, 2, 3, 4]);

        Assert.Equal(expected, Windows(sequence));
    }

    [Theory]
    [InlineData(KvCacheRefresh.Answer)]
    [InlineData(KvCacheRefresh.Frontier)]
    public void NextStep_LaterRefreshOneTokenPromptShiftedLogits_StartsBeforeTheWindow(KvCacheRefresh refresh)
    {
        // Prompt 1, answer 4 in blocks of 2, Dream: block [1, 3) is scored from rows [0, 3), block [3, 5) from [2, 5),
        // and its refresh from row 1 (the answer, and the finished block) covers that window.
        DecodingSettings settings = Settings(KvCacheMode.Dual) with { KvCacheRefresh = refresh };
        var sequence = new DenoisingSequence([5], DiffusionPlan.Create(4, 2, 4), settings, Mask, new HashSet<int>(), new CacheWindowRule(true, 0));

        Assert.Equal([0, 5, 0, 3, 1, 5, 2, 5], Windows(sequence));
    }

    [Theory]
    [InlineData(KvCacheMode.Prefix, new[] { 0, 10, 2, 10, 0, 10, 4, 10 })]
    [InlineData(KvCacheMode.Dual, new[] { 0, 10, 2, 4, 0, 10, 4, 6 })]
    public void NextStep_WithSuffix_RefreshAndPrefixWindowsReachTheSuffix(KvCacheMode mode, int[] expected)
    {
        // Prompt 2, answer 4 in blocks of 2 (two steps each), suffix 4: the canvas is 10 rows, and the suffix's keys and
        // values are refreshed with the canvas, read by the prefix window, cached for the dual one.
        var sequence = new DenoisingSequence([5, 6], DiffusionPlan.Create(4, 2, 4), Settings(mode), Mask, new HashSet<int>(), suffix: [1, 2, 3, 4]);

        Assert.Equal(expected, Windows(sequence));
    }

    [Fact]
    public void NextStep_NoCacheMode_ComputesTheWholeCanvas()
    {
        var sequence = new DenoisingSequence([5, 6, 7], DiffusionPlan.Create(8, 4, 8), Settings(KvCacheMode.None), Mask, new HashSet<int>());

        ForwardSequence step = sequence.NextStep();

        Assert.Null(step.Cache);
        Assert.Equal(11, step.Tokens.Length);
    }

    [Theory]
    [InlineData(KvCacheMode.None, true)]
    [InlineData(KvCacheMode.Prefix, false)]
    [InlineData(KvCacheMode.Dual, false)]
    public void NextStep_CacheDisagreesWithMode_Throws(KvCacheMode mode, bool withCache)
    {
        var sequence = new DenoisingSequence([1], DiffusionPlan.Create(4, 4, 4), Settings(mode), Mask, new HashSet<int>());
        using var cache = new FakeKvCache();

        Assert.Throws<ArgumentException>(() => sequence.NextStep(withCache ? cache : null));
    }

    /// <summary>Decodes the sequence to its end, committing every scored position: each step's window, start then end.</summary>
    private static List<int> Windows(DenoisingSequence sequence)
    {
        var windows = new List<int>();
        using var cache = new FakeKvCache();
        while (sequence.Finish is null)
        {
            ForwardSequence step = sequence.NextStep(cache);
            Assert.Same(cache, step.Cache!.Storage);
            windows.AddRange([step.Cache.Start, step.Cache.End]);
            sequence.Commit(step, step.ScorePositions.Select(p => new TokenScore(10 + p, 0.5f, -0.7f, 0f, 0f)).ToArray());
        }

        return windows;
    }

    private static DecodingSettings Settings(KvCacheMode mode) => new(0f, 1, RemaskingStrategy.LowConfidence, KvCache: mode);

    private sealed class FakeKvCache : IKvCache
    {
        public int Layers => 1;

        public int Positions => 64;

        public int KeyValueWidth => 1;

        public long Bytes => 0;

        public void Dispose()
        {
        }
    }
}
