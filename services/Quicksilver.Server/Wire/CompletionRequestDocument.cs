using System.Text.Json;

namespace Quicksilver.Server.Wire;

/// <summary>
/// The body of <c>POST /v1/completions</c> as documented in the OpenAPI document. The server parses the body itself
/// (<see cref="Completions.CompletionRequestParser"/>) so that every mistake gets an OpenAI-shaped 400 naming the field;
/// this type only describes it. Unknown fields are accepted and ignored.
/// </summary>
internal sealed record CompletionRequestDocument
{
    /// <summary>The model to use (see <c>GET /v1/models</c>). When omitted, the served model.</summary>
    public string? Model { get; init; }

    /// <summary>
    /// The prompt: a string, an array with one string, an array of token ids (each in [0, vocabulary size)), or an
    /// array with one array of token ids. Must not be empty. Batches of several prompts are not supported yet.
    /// </summary>
    public required JsonElement Prompt { get; init; }

    /// <summary>
    /// Largest number of tokens to generate: the size of the masked canvas appended to the prompt. Default 16
    /// (lowered to what the context has room for when not given); at least 1, at most the server's limit; prompt +
    /// <c>max_tokens</c> must fit in the model's context.
    /// </summary>
    public int? MaxTokens { get; init; }

    /// <summary>Sampling temperature in [0, 2]; 0 is greedy. Default 1.</summary>
    public double? Temperature { get; init; }

    /// <summary>Nucleus sampling mass in (0, 1]. Validated, not applied yet by the diffusion sampler.</summary>
    public double? TopP { get; init; }

    /// <summary>
    /// Number of completions, at least 1, at most the server's limit (default 8); each is its own sequence in the
    /// engine's batch, and choice i samples with <c>seed</c> + i. Usage counts the tokens of all of them.
    /// </summary>
    public int? N { get; init; }

    /// <summary>
    /// Stream the answer as server-sent events (<c>data: {chunk}</c> per finalised block of the canvas, then
    /// <c>data: [DONE]</c>).
    /// </summary>
    public bool? Stream { get; init; }

    /// <summary>Stream options; only allowed with <c>stream: true</c>.</summary>
    public StreamOptionsDocument? StreamOptions { get; init; }

    /// <summary>
    /// Up to 4 stop sequences (a string or an array of strings, each non-empty). The text ends before the first one
    /// found, which is not included, and <c>finish_reason</c> is <c>stop</c>.
    /// </summary>
    public JsonElement? Stop { get; init; }

    /// <summary>Seed of the sampler: the same seed, prompt and settings give the same text.</summary>
    public long? Seed { get; init; }

    /// <summary>Start each choice's text with the prompt (streamed: in the choice's first chunk).</summary>
    public bool? Echo { get; init; }

    /// <summary>
    /// Only 0 (or null): report each answer token's log-probability, <c>log p(token)</c> under the un-noised
    /// distribution at the denoising step that unmasked it, with text offsets. <c>top_logprobs</c> is always null:
    /// the engine reports no alternatives, so values above 0 are refused.
    /// </summary>
    public int? Logprobs { get; init; }

    /// <summary>Text after the completion (infilling). Not supported yet: must be null, absent or empty.</summary>
    public string? Suffix { get; init; }

    /// <summary>Only 1 (or absent) is supported.</summary>
    public int? BestOf { get; init; }

    /// <summary>Presence penalty in [-2, 2]. Validated, not applied by the diffusion sampler.</summary>
    public double? PresencePenalty { get; init; }

    /// <summary>Frequency penalty in [-2, 2]. Validated, not applied by the diffusion sampler.</summary>
    public double? FrequencyPenalty { get; init; }

    /// <summary>Token biases. Not supported yet: must be null, absent or empty.</summary>
    public IReadOnlyDictionary<string, double>? LogitBias { get; init; }

    /// <summary>An end-user id, for abuse monitoring. Accepted and ignored.</summary>
    public string? User { get; init; }

    /// <summary>
    /// Diffusion extension: total denoising steps (forward passes) over the whole answer, at least 1. Fewer steps are
    /// faster and commit more tokens per step. Default: one step per token. Clamped to [number of blocks, max_tokens].
    /// </summary>
    public int? Steps { get; init; }

    /// <summary>
    /// Diffusion extension: length of the semi-autoregressive blocks the canvas is decoded in, left to right, at
    /// least 1. Each block is streamed as soon as it is final. Default: the deployment's default (32), capped at
    /// <c>max_tokens</c>.
    /// </summary>
    public int? BlockLength { get; init; }

    /// <summary>
    /// Diffusion extension: the confidence that ranks masked positions each step: <c>low_confidence</c> (probability of
    /// the chosen token; default), <c>random</c>, <c>margin</c> (top-1 minus top-2 probability, Dream's
    /// <c>topk_margin</c>) or <c>entropy</c> (lowest entropy first, Dream's <c>entropy</c>).
    /// </summary>
    public RemaskingName? Remasking { get; init; }

    /// <summary>
    /// Diffusion extension: Fast-dLLM's threshold rule, in (0, 1]. Each step commits the most confident masked
    /// position of the block plus every other whose probability is at least this; <c>steps</c> then no longer
    /// applies. Needs <c>remasking: low_confidence</c>. Fast-dLLM's default is 0.9.
    /// </summary>
    public double? Threshold { get; init; }

    /// <summary>
    /// Diffusion extension: Fast-dLLM's factor rule, &gt; 0. With probabilities sorted c₁ ≥ c₂ ≥ …, each step commits
    /// the longest prefix with cᵢ ≥ 1 − factor/(i + 1). Exclusive with <c>threshold</c>.
    /// </summary>
    public double? Factor { get; init; }

    /// <summary>
    /// Diffusion extension: Fast-dLLM block K/V caching. <c>none</c> computes the whole canvas every step (exact);
    /// <c>prefix</c> refreshes the cache of every layer at each block's first step and then computes the block and
    /// what follows it against the cached prefix; <c>dual</c> then computes only the block, against the cached prefix
    /// and suffix (fastest). Cached keys are stale by the tokens committed since the block began, so the output may
    /// differ from <c>none</c>. Default: the deployment's (<c>none</c> unless configured).
    /// </summary>
    public KvCacheName? KvCache { get; init; }

    /// <summary>
    /// Extension (vLLM's): when true, end tokens do not end the answer; it runs to the token limit (benchmarks use
    /// this for fixed answer lengths). Default false.
    /// </summary>
    public bool? IgnoreEos { get; init; }
}
