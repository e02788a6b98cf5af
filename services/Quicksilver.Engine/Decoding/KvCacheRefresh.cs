namespace Quicksilver.Engine.Decoding;

/// <summary>
/// Which rows the refresh at a block boundary recomputes for a <see cref="KvCacheMode"/> of bidirectional attention.
/// The first block's refresh always computes the whole canvas, which fills the cache. Fast-dLLM refreshes the whole
/// canvas at every boundary (<see cref="Canvas"/>), so the keys and values of every row reflect the tokens committed
/// so far. Starting later reuses the cached keys and values of the rows before the start, stale by the tokens
/// committed since those rows were last computed, in exchange for fewer rows: with a long prompt the refreshes are
/// most of the rows a cached answer computes. Block-causal models
/// (<see cref="Models.ModelConfig.AttentionBlockLength"/>) ignore it: their refresh already starts at the finished
/// block's first attention block and is exact (<see cref="Models.CacheWindowRule.RefreshStart"/>).
/// </summary>
/// <remarks>
/// The rows kept are whatever was last written for them: with shifted logits (Dream) a block's windows start one row
/// before it, so its steps also rewrite that row (the prompt's last, for the first block).
/// </remarks>
public enum KvCacheRefresh
{
    /// <summary>Every refresh computes the whole canvas (Fast-dLLM): the prompt's rows see every commit.</summary>
    Canvas,

    /// <summary>
    /// Later refreshes start at the answer: the prompt keeps the keys and values of the first refresh, computed when
    /// the answer was all masks (dLLM-Cache's rarely refreshed prompt cache; dKV-Cache's prefill caching).
    /// </summary>
    Answer,

    /// <summary>
    /// Later refreshes start at the block just finished, writing its final tokens' keys and values: the prompt and
    /// every earlier block keep those of the refresh after they were finished (dKV-Cache's delayed caching of decoded
    /// tokens). The fewest rows: a refresh computes the finished block and the masks after it.
    /// </summary>
    Frontier,
}
