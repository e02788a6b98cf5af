using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Completions;

/// <summary>
/// The sampling and diffusion fields <c>/v1/completions</c> and <c>/v1/chat/completions</c> share, as the request gave
/// them (<see cref="RequestFieldReader.ParseDecoding"/>); null is a field left out, which takes the model's default
/// (<see cref="SamplingDefaults"/>).
/// </summary>
internal sealed record DecodingFields
{
    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    /// <summary><c>top_k</c>, 0 when the request disables it (0 or -1, vLLM's convention).</summary>
    public int? TopK { get; init; }

    /// <summary><c>alg_temp</c> (Dream's position-sampling temperature).</summary>
    public double? AlgorithmTemperature { get; init; }

    public int? Steps { get; init; }

    public int? BlockLength { get; init; }

    public RemaskingStrategy? Remasking { get; init; }

    /// <summary>The commit rule (<c>threshold</c> / <c>factor</c>) and its parameter; null when the request named neither.</summary>
    public (CommitRule Rule, double Parameter)? Commit { get; init; }

    /// <summary>The <c>kv_cache</c> extension field; null for the deployment's default.</summary>
    public KvCacheMode? KvCache { get; init; }

    /// <summary>The <c>kv_cache_refresh</c> extension field; null for the deployment's default.</summary>
    public KvCacheRefresh? KvCacheRefresh { get; init; }

    /// <summary>The <c>ignore_eos</c> extension field (vLLM's): end tokens do not end the answer.</summary>
    public bool IgnoreEos { get; init; }

    /// <summary><c>logit_bias</c>, empty when the request gave none.</summary>
    public IReadOnlyList<TokenBias> LogitBias { get; init; } = [];

    /// <summary><c>presence_penalty</c> (0 when absent).</summary>
    public double PresencePenalty { get; init; }

    /// <summary><c>frequency_penalty</c> (0 when absent).</summary>
    public double FrequencyPenalty { get; init; }

    /// <summary>
    /// The engine request: every field the request gave, the rest from <paramref name="defaults"/>. A request that
    /// names <c>steps</c>, or a <c>remasking</c> other than <c>low_confidence</c>, and no commit rule asks for the step
    /// schedule, whatever the default rule (a default threshold or factor compares token probabilities, which only
    /// <c>low_confidence</c> ranks by). A model's <c>alg</c> is the default remasking of the step schedule only: a
    /// default <c>threshold</c> or <c>factor</c> ranks by <c>low_confidence</c>. A <c>logit_bias</c>
    /// token outside the tokenizer's <paramref name="vocabSize"/> ids is a 400, as a prompt token id is.
    /// </summary>
    public GenerationRequest ToGenerationRequest(IReadOnlyList<int> prompt, int maxTokens, ulong? seed, SamplingDefaults defaults, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        foreach (TokenBias bias in LogitBias)
        {
            if (bias.Token >= vocabSize)
            {
                throw ApiErrorException.BadRequest($"Invalid key in 'logit_bias': token {bias.Token} is not in [0, {vocabSize}).", "logit_bias");
            }
        }

        bool asksForTheSchedule = Steps is not null || Remasking is not (null or RemaskingStrategy.LowConfidence);
        (CommitRule rule, double parameter) = Commit ?? (asksForTheSchedule ? (CommitRule.Schedule, 0) : defaults.Commit);
        return new()
        {
            PromptTokens = prompt,
            MaxTokens = maxTokens,
            Seed = seed,
            Temperature = (float)(Temperature ?? defaults.Temperature),
            TopP = TopP ?? defaults.TopP,
            TopK = TopK ?? defaults.TopK,
            AlgorithmTemperature = AlgorithmTemperature ?? defaults.AlgorithmTemperature,
            Steps = Steps ?? defaults.StepsFor(maxTokens),
            BlockLength = BlockLength ?? defaults.BlockLength,
            Remasking = Remasking ?? (rule == CommitRule.Schedule ? defaults.Remasking : RemaskingStrategy.LowConfidence),
            Commit = rule,
            CommitParameter = parameter,
            KvCache = KvCache,
            KvCacheRefresh = KvCacheRefresh,
            IgnoreEos = IgnoreEos,
            LogitBias = LogitBias,
            PresencePenalty = PresencePenalty,
            FrequencyPenalty = FrequencyPenalty,
        };
    }
}
