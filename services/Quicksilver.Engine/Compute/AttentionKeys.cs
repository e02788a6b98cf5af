namespace Quicksilver.Engine.Compute;

/// <summary>
/// The keys and values one sequence of an attention batch attends to: <paramref name="Count"/> rows from
/// <paramref name="Start"/>. With no <paramref name="Cache"/> they are rows of the step's packed key/value buffers;
/// with one, they are positions of that cache at the layout's <see cref="AttentionLayout.CacheLayer"/>. Key j holds
/// canvas position j, which block-causal layouts (<see cref="AttentionLayout.CausalBlockLength"/>) rely on.
/// </summary>
/// <param name="Start">First key row (packed buffers) or first cache position.</param>
/// <param name="Count">Keys attended to; zero gives an all-zero output.</param>
/// <param name="Cache">The sequence's K/V cache, or null for the packed buffers.</param>
/// <param name="FirstQueryPosition">Canvas position of the sequence's first query row (its K/V cache window's start).</param>
public readonly record struct AttentionKeys(int Start, int Count, IKvCache? Cache = null, int FirstQueryPosition = 0);
