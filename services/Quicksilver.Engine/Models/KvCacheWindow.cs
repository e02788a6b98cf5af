using Quicksilver.Engine.Compute;

namespace Quicksilver.Engine.Models;

/// <summary>
/// How one forward step uses a sequence's K/V cache (Fast-dLLM block caching). Only the canvas rows
/// <c>[Start, End)</c> are computed; in every layer their post-RoPE keys and values are written into
/// <paramref name="Storage"/> at their positions, then their queries attend over every canvas position of the
/// cache, so positions outside the window contribute the keys and values last written for them. A window from
/// position 0 to the canvas's end is a full refresh: the same arithmetic as the no-cache path over its rows, which also
/// fills the cache. A refresh may start later: for block-causal attention after rows already final in the cache, and
/// for bidirectional attention where the request's <see cref="Decoding.KvCacheRefresh"/> keeps earlier rows.
/// </summary>
/// <param name="Storage">The sequence's cache, sized for its canvas (<see cref="DiffusionTransformer.AllocateKvCache"/>).</param>
/// <param name="Start">First computed canvas position.</param>
/// <param name="End">One past the last computed canvas position.</param>
public sealed record KvCacheWindow(IKvCache Storage, int Start, int End)
{
    /// <summary>Canvas rows the step computes.</summary>
    public int Length => End - Start;
}
