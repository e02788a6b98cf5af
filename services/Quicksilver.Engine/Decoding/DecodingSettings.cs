namespace Quicksilver.Engine.Decoding;

/// <summary>The per-request controls of the denoiser.</summary>
/// <param name="Temperature">Gumbel-max temperature; 0 is greedy.</param>
/// <param name="Seed">Seed of the counter-based sampler.</param>
/// <param name="Remasking">Confidence that ranks masked positions.</param>
/// <param name="Commit">How many ranked positions a step commits.</param>
/// <param name="CommitParameter">Threshold or factor of <paramref name="Commit"/>.</param>
/// <param name="KvCache">Block K/V caching (Fast-dLLM); <see cref="KvCacheMode.None"/> computes the whole canvas every step.</param>
/// <param name="TopP">Nucleus mass of the token draw, in (0, 1]; 1 keeps every token (<see cref="Compute.RowSampling"/>).</param>
/// <param name="TopK">Tokens the draw keeps by top-k; 0 keeps every token.</param>
/// <param name="AlgorithmTemperature">Dream's <c>alg_temp</c>: above 0 the committed positions are sampled (<see cref="CommitPolicy.SamplesPositions"/>).</param>
/// <param name="LogitBias">OpenAI's <c>logit_bias</c>, added to every scored position's logits (distinct tokens); null for none.</param>
/// <param name="PresencePenalty">OpenAI's <c>presence_penalty</c>: subtracted from the logits of the tokens the answer already holds.</param>
/// <param name="FrequencyPenalty">OpenAI's <c>frequency_penalty</c>: subtracted once per time the answer already holds the token.</param>
/// <param name="TopLogprobs">OpenAI's <c>top_logprobs</c>: the most likely tokens to keep at each committed position; 0 keeps none.</param>
/// <param name="KvCacheRefresh">Which rows the refreshes after the first block recompute with a <paramref name="KvCache"/>; the whole canvas by default.</param>
public sealed record DecodingSettings(
    float Temperature,
    ulong Seed,
    RemaskingStrategy Remasking,
    CommitRule Commit = CommitRule.Schedule,
    double CommitParameter = 0,
    KvCacheMode KvCache = KvCacheMode.None,
    double TopP = 1,
    int TopK = 0,
    double AlgorithmTemperature = 0,
    IReadOnlyList<Compute.TokenBias>? LogitBias = null,
    double PresencePenalty = 0,
    double FrequencyPenalty = 0,
    int TopLogprobs = 0,
    KvCacheRefresh KvCacheRefresh = KvCacheRefresh.Canvas);
