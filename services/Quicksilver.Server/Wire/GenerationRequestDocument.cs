using System.Text.Json;

namespace Quicksilver.Server.Wire;

/// <summary>
/// The fields <c>POST /v1/completions</c> and <c>POST /v1/chat/completions</c> share, as documented in the OpenAPI
/// document: sampling, stop sequences, the accepted-and-ignored OpenAI fields and the diffusion extensions. Each
/// endpoint's document adds its input (<c>prompt</c> or <c>messages</c>), its token limit and its streaming shape.
/// </summary>
internal abstract record GenerationRequestDocument
{
    /// <summary>The model to use (see <c>GET /v1/models</c>). When omitted, the served model.</summary>
    public string? Model { get; init; }

    /// <summary>
    /// Sampling temperature in [0, 2]; 0 is greedy. Default: the model's <c>generation_config.json</c>, else 1 (see
    /// <c>generation_defaults</c> in <c>GET /v1/models</c>, which also lists the defaults of the fields below).
    /// </summary>
    public double? Temperature { get; init; }

    /// <summary>
    /// Nucleus sampling mass in (0, 1]: each masked position's token is drawn from the smallest set of most likely tokens
    /// whose probability under softmax(logits / temperature) reaches it. Applied after the temperature and before
    /// <c>top_k</c> (Dream's order); it does not change a greedy draw. Default: the model's, else 1 (off). Confidences
    /// (remasking) stay those of the untruncated softmax(logits), except on Dream models, which rank by the tempered,
    /// truncated distribution (even when greedy), as Dream's sampler does.
    /// </summary>
    public double? TopP { get; init; }

    /// <summary>
    /// Extension (vLLM's): keep only the k most likely tokens (after <c>top_p</c>), an integer ≥ 1; 0 or -1 disable it.
    /// It does not change a greedy draw (on Dream models it still cuts the distribution the confidences are taken under).
    /// Default: the model's, else disabled.
    /// </summary>
    public int? TopK { get; init; }

    /// <summary>
    /// Number of answers (choices), at least 1, at most the server's limit (default 8); each is its own sequence in the
    /// engine's batch, and choice i samples with <c>seed</c> + i. Usage counts the tokens of all of them.
    /// </summary>
    public int? N { get; init; }

    /// <summary>Stream options; only allowed with <c>stream: true</c>.</summary>
    public StreamOptionsDocument? StreamOptions { get; init; }

    /// <summary>
    /// Up to 4 stop sequences (a string or an array of strings, each non-empty). The answer ends before the first one
    /// found, which is not included, and <c>finish_reason</c> is <c>stop</c>.
    /// </summary>
    public JsonElement? Stop { get; init; }

    /// <summary>Seed of the sampler: the same seed, prompt and settings give the same text.</summary>
    public long? Seed { get; init; }

    /// <summary>
    /// Presence penalty in [-2, 2]: at each denoising step, subtracted from the logit of every token the answer already
    /// holds (committed at earlier steps, anywhere in the answer; end tokens excepted).
    /// </summary>
    public double? PresencePenalty { get; init; }

    /// <summary>Frequency penalty in [-2, 2]: at each denoising step, subtracted from a token's logit once per time the answer already holds it.</summary>
    public double? FrequencyPenalty { get; init; }

    /// <summary>
    /// Token biases: token id (as a string) → a number in [-100, 100] added to that token's logit at every position
    /// before the draw (-100 in effect bans the token, 100 forces it); at most <c>Limits:MaxLogitBiasEntries</c> (300).
    /// Reported log-probabilities are those of the biased distribution.
    /// </summary>
    public IReadOnlyDictionary<string, double>? LogitBias { get; init; }

    /// <summary>An end-user id, for abuse monitoring. Accepted and ignored.</summary>
    public string? User { get; init; }

    /// <summary>
    /// Diffusion extension: total denoising steps (forward passes) over the whole answer, at least 1. Fewer steps are
    /// faster and commit more tokens per step. Default: the model's <c>steps</c> at the rate it set them for its
    /// <c>max_new_tokens</c>, scaled to this request's budget (as they are when it names no <c>max_new_tokens</c>),
    /// else one step per token. Clamped to [number of blocks, max_tokens].
    /// </summary>
    public int? Steps { get; init; }

    /// <summary>
    /// Diffusion extension: length of the semi-autoregressive blocks the canvas is decoded in, left to right, at
    /// least 1. Each block is streamed as soon as it is final. Default: the model's <c>block_length</c>, else a
    /// block-diffusion model's attention block, else the deployment's default (32), capped at <c>max_tokens</c>.
    /// </summary>
    public int? BlockLength { get; init; }

    /// <summary>
    /// Diffusion extension: the confidence that ranks masked positions each step: <c>low_confidence</c> (probability of
    /// the chosen token; the default unless the model's <c>alg</c> names another, and always under a default threshold or
    /// factor), <c>random</c>, <c>margin</c> (top-1 minus top-2 probability, Dream's
    /// <c>topk_margin</c>) or <c>entropy</c> (lowest entropy first, Dream's <c>entropy</c>); or <c>origin</c> (Dream's
    /// default: no ranking, each masked position of the block revealed independently with probability 1 − s/t of the
    /// timestep schedule, all that remain on the block's last step; for LLaDA too). Not with a <c>threshold</c> or
    /// <c>factor</c> the request names; any but <c>low_confidence</c> sets a default one aside for the step schedule
    /// (one token per step unless <c>steps</c> says otherwise).
    /// </summary>
    public RemaskingName? Remasking { get; init; }

    /// <summary>
    /// Diffusion extension: Fast-dLLM's threshold rule, in (0, 1]. Each step commits the most confident masked
    /// position of the block plus every other whose probability is at least this; <c>steps</c> then no longer
    /// applies. Needs <c>remasking: low_confidence</c>. Fast-dLLM's default is 0.9. Left out, with no <c>factor</c>:
    /// the model's or deployment's default rule (<c>generation_defaults</c>), except that a request naming
    /// <c>steps</c>, or a <c>remasking</c> other than <c>low_confidence</c>, gets the step schedule.
    /// </summary>
    public double? Threshold { get; init; }

    /// <summary>
    /// Diffusion extension: Fast-dLLM's factor rule, &gt; 0. With probabilities sorted c₁ ≥ c₂ ≥ …, each step commits
    /// the longest prefix with cᵢ ≥ 1 − factor/(i + 1). Exclusive with <c>threshold</c>.
    /// </summary>
    public double? Factor { get; init; }

    /// <summary>
    /// Diffusion extension (Dream's <c>alg_temp</c>): a number ≥ 0. Above 0, the positions a step commits are sampled
    /// without replacement from softmax(confidence / alg_temp) instead of being the most confident; the step still
    /// commits as many as its schedule (or <c>threshold</c> / <c>factor</c>) says. Applies to <c>low_confidence</c>,
    /// <c>margin</c> and <c>entropy</c>; <c>random</c> and <c>origin</c> ignore it. Default: the model's, else 0.
    /// </summary>
    public double? AlgTemp { get; init; }

    /// <summary>
    /// Diffusion extension: Fast-dLLM block K/V caching. <c>none</c> computes the whole canvas every step (exact);
    /// <c>prefix</c> refreshes the cache of every layer at each block's first step and then computes the block and
    /// what follows it against the cached prefix; <c>dual</c> then computes only the block, against the cached prefix
    /// and suffix (fastest). Cached keys are stale by the tokens committed since the block began, so the output may
    /// differ from <c>none</c>. Default: the deployment's (<c>none</c> unless configured).
    /// </summary>
    public KvCacheName? KvCache { get; init; }

    /// <summary>
    /// Diffusion extension: which rows the refresh at each block boundary recomputes with a <c>kv_cache</c>. The
    /// first block's refresh computes the whole canvas. <c>canvas</c> recomputes it every time (Fast-dLLM);
    /// <c>answer</c> keeps the prompt's cached keys and values from the first refresh; <c>frontier</c> also keeps
    /// every finished block's from the refresh after it finished, recomputing only the block just finished and the
    /// masks after it (fewest rows). The later two are faster with long prompts and may move the answer further from
    /// <c>none</c>. Block-diffusion models ignore it (their refresh is already exact and starts at the finished
    /// block's first attention block). Default: the deployment's (<c>canvas</c> unless configured).
    /// </summary>
    public KvCacheRefreshName? KvCacheRefresh { get; init; }

    /// <summary>
    /// Extension (vLLM's): when true, end tokens do not end the answer; it runs to the token limit (benchmarks use
    /// this for fixed answer lengths). Default false.
    /// </summary>
    public bool? IgnoreEos { get; init; }
}
