using Quicksilver.Engine.Compute;

namespace Quicksilver.Engine.Models;

/// <summary>
/// One sequence of a forward batch: its whole canvas, and the positions whose next token the decoder wants scored
/// (with how to sample each). Only those positions go through the LM head.
/// </summary>
/// <param name="Tokens">The canvas: prompt, committed tokens and mask ids.</param>
/// <param name="ScorePositions">Canvas positions to score, in the order results are returned.</param>
/// <param name="Sampling">One entry per score position.</param>
public sealed record ForwardSequence(ReadOnlyMemory<int> Tokens, IReadOnlyList<int> ScorePositions, IReadOnlyList<RowSampling> Sampling)
{
    /// <summary>
    /// The sequence's K/V cache and the rows this step computes with it; null computes without a cache (the exact path:
    /// the whole canvas, or up to the last scored row's attention block, <see cref="DiffusionTransformer.ComputedTokens"/>).
    /// The rows that score its positions (<see cref="LogitShift"/>) must lie inside the window.
    /// </summary>
    public KvCacheWindow? Cache { get; init; }

    /// <summary>OpenAI's <c>logit_bias</c>: added to the logits of every scored position before the draw (distinct tokens).</summary>
    public IReadOnlyList<TokenBias> LogitBias { get; init; } = [];

    /// <summary>
    /// Replaces <see cref="LogitBias"/> on the first score position's row only (a constraint's bans at the answer's
    /// leftmost open position, merged with the request's bias); null applies <see cref="LogitBias"/> there too.
    /// </summary>
    public IReadOnlyList<TokenBias>? FirstRowBias { get; init; }

    /// <summary>
    /// OpenAI's <c>top_logprobs</c>: how many of the most likely tokens to list at each position the step commits
    /// (<see cref="DiffusionTransformer.ForwardAndSelect"/>), at most <see cref="TokenLogprob.MaxAlternatives"/>; 0 lists none.
    /// </summary>
    public int TopLogprobs { get; init; }
}
