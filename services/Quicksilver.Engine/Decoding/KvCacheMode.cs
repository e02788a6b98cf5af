namespace Quicksilver.Engine.Decoding;

/// <summary>
/// Fast-dLLM's block K/V caching (arXiv 2505.22618). The first step of every block is a full forward pass over the
/// canvas that refreshes the cache of every layer (post-RoPE keys and the values); the block's later steps compute
/// fewer rows against it. Within a block the cached rows are stale by the tokens committed since the refresh, so
/// the cached modes approximate <see cref="None"/>.
/// </summary>
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
