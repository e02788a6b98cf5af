using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Metering;

namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// One sequence to generate: a tokenised prompt, the canvas size, and the diffusion controls.
/// Controls left null take the defaults derived in <see cref="Decoding.DiffusionPlan"/>.
/// </summary>
public sealed record GenerationRequest
{
    /// <summary>Prompt token ids (already templated and tokenised). Required, non-empty.</summary>
    public required IReadOnlyList<int> PromptTokens { get; init; }

    /// <summary>Number of masked positions appended to the prompt: the most tokens the answer can have. Required.</summary>
    public required int MaxTokens { get; init; }

    /// <summary>
    /// Tokens after the answer (fill in the middle, OpenAI's <c>suffix</c>): the canvas is prompt, masks, suffix, and
    /// every step attends to the suffix. Bidirectional models only. Empty (default) for a plain continuation.
    /// </summary>
    public IReadOnlyList<int> SuffixTokens { get; init; } = [];

    /// <summary>The tokens the request brings: its prompt and its suffix.</summary>
    public int InputTokenCount => PromptTokens.Count + SuffixTokens.Count;

    /// <summary>Gumbel-max temperature; 0 means greedy.</summary>
    public float Temperature { get; init; }

    /// <summary>Nucleus mass of the token draw, in (0, 1]; 1 (default) keeps every token. Applied after the temperature, before <see cref="TopK"/> (Dream's order).</summary>
    public double TopP { get; init; } = 1;

    /// <summary>Tokens the draw keeps by top-k, ≥ 0; 0 (default) keeps every token.</summary>
    public int TopK { get; init; }

    /// <summary>
    /// Dream's <c>alg_temp</c>, ≥ 0: above 0 the positions a step commits are sampled without replacement from
    /// <c>softmax(confidence / alg_temp)</c> (low_confidence, margin, entropy; random and origin ignore it); 0 (default)
    /// commits the most confident.
    /// </summary>
    public double AlgorithmTemperature { get; init; }

    /// <summary>
    /// OpenAI's <c>logit_bias</c>: each token's bias (in [−100, 100]; each token at most once) is added to its logit at
    /// every position before the draw, so the confidences too are those of the biased distribution. Empty by default.
    /// </summary>
    public IReadOnlyList<TokenBias> LogitBias { get; init; } = [];

    /// <summary>
    /// OpenAI's <c>presence_penalty</c>, in [−2, 2]: subtracted, at each step, from the logit of every token the answer
    /// already holds (committed at earlier steps, anywhere in the answer). 0 (default) applies none.
    /// </summary>
    public double PresencePenalty { get; init; }

    /// <summary>
    /// OpenAI's <c>frequency_penalty</c>, in [−2, 2]: subtracted, at each step, from a token's logit once per time the
    /// answer already holds it. 0 (default) applies none.
    /// </summary>
    public double FrequencyPenalty { get; init; }

    /// <summary>
    /// OpenAI's <c>top_logprobs</c>, in [0, <see cref="TokenLogprob.MaxAlternatives"/>]: how many of the most likely
    /// tokens each update lists at each answer position (<see cref="GenerationUpdate.TopLogprobs"/>), under the
    /// distribution of the step that committed it. 0 (default) lists none.
    /// </summary>
    public int TopLogprobs { get; init; }

    /// <summary>Seed of the counter-based sampler; null picks a random one.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Total denoising steps over the whole answer; null means one step per token.</summary>
    public int? Steps { get; init; }

    /// <summary>Semi-autoregressive block length; null means the deployment default (32), capped at <see cref="MaxTokens"/>.</summary>
    public int? BlockLength { get; init; }

    /// <summary>The confidence that ranks masked positions.</summary>
    public RemaskingStrategy Remasking { get; init; } = RemaskingStrategy.LowConfidence;

    /// <summary>How many ranked positions each step commits. Threshold and factor end a block when it has no mask left, so <see cref="Steps"/> does not apply.</summary>
    public CommitRule Commit { get; init; } = CommitRule.Schedule;

    /// <summary>The threshold (0, 1] of <see cref="CommitRule.Threshold"/> or the factor (&gt; 0) of <see cref="CommitRule.Factor"/>.</summary>
    public double CommitParameter { get; init; }

    /// <summary>Block K/V caching (Fast-dLLM prefix or dual cache); null means the deployment's <see cref="EngineOptions.KvCache"/>.</summary>
    public KvCacheMode? KvCache { get; init; }

    /// <summary>Which rows a block's refresh recomputes with a K/V cache; null means the deployment's <see cref="EngineOptions.KvCacheRefresh"/>.</summary>
    public KvCacheRefresh? KvCacheRefresh { get; init; }

    /// <summary>
    /// Whether end tokens (EOS, end of turn) are ordinary tokens for this request: the answer runs to
    /// <see cref="MaxTokens"/> (vLLM's <c>ignore_eos</c>; benchmarks use it for fixed answer lengths).
    /// </summary>
    public bool IgnoreEos { get; init; }

    /// <summary>
    /// The rule the answer's text follows (structured output, <see cref="Constraints.TokenConstraints"/>): it is
    /// written left to right, each token one the rule allows, and ends when the rule says it is complete. Null (default):
    /// free text.
    /// </summary>
    public Constraints.ITokenConstraint? Constraint { get; init; }

    /// <summary>Who the request's device time is billed to (the meters' <c>quicksilver.tenant</c>).</summary>
    public string Tenant { get; init; } = Tenants.Anonymous;

    /// <summary>
    /// Called on the step loop with each block the sequence finalises, in answer order, before its next step: true
    /// when the answer needs nothing more (the caller's stop sequence has appeared), and the sequence then leaves at
    /// once, as a cancelled one does, so no step past the stop is run or charged. Null: only the answer's end token,
    /// its budget or a cancellation ends it. It must be quick and must not throw (an exception counts as false).
    /// </summary>
    public Func<IReadOnlyList<int>, bool>? EndsAfterBlock { get; init; }
}
