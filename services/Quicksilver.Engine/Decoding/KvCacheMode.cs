namespace Quicksilver.Engine.Decoding;

/// <summary>
/// Fast-dLLM's block K/V caching (arXiv 2505.22618). The first step of every block is a full forward pass over the
/// canvas that refreshes the cache of every layer (post-RoPE keys and the values); the block's later steps compute
/// fewer rows against it. Within a block the cached rows are stale by the tokens committed since the refresh, so
/// the cached modes approximate <see cref="None"/>.
/// </summary>
/// <remarks>
/// For a model with shifted logits (Dream) the later steps' rows start one before the block: that row's hidden state
/// scores the block's first position. Fast-dLLM's Dream sampler (<c>dream/model/generation_utils_block.py</c>) does
/// not recompute it: its refresh step commits the block's first position unconditionally and later steps never score
/// it. Here every step keeps the request's commit rule and schedule, the extra row is a committed token whose keys and
/// values are rewritten with the block's commits since the refresh, so with one layer, or one step per block, the
/// cached modes give exactly the tokens of <see cref="None"/>, as for LLaDA. For a block-causal model
/// (<see cref="Models.ModelConfig.AttentionBlockLength"/>) the windows cover whole attention blocks and both modes
/// are exact at every step (<see cref="Models.CacheWindowRule"/>); no row of the window sees a later attention block,
/// so the refresh and the prefix window stop where the dual window does and the two modes compute the same rows; the
/// refresh also starts at the previous block's first attention block, the rows before it being final in the cache.
/// </remarks>
public enum KvCacheMode
{
    /// <summary>Every step computes the whole canvas (LLaDA's <c>generate()</c>): exact, the slowest.</summary>
    None,

    /// <summary>
    /// Later steps compute the block and everything after it against the cached prefix (Fast-dLLM's
    /// <c>generate_with_prefix_cache</c>): the suffix is recomputed, only the prefix is stale.
    /// </summary>
    Prefix,

    /// <summary>
    /// Later steps compute only the block, against the cached prefix and the cached suffix (Fast-dLLM's
    /// <c>generate_with_dual_cache</c>): the fewest rows per step, prefix and suffix both stale.
    /// </summary>
    Dual,
}
