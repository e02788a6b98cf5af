namespace Quicksilver.Engine.Decoding;

/// <summary>The per-request controls of the denoiser.</summary>
/// <param name="Temperature">Gumbel-max temperature; 0 is greedy.</param>
/// <param name="Seed">Seed of the counter-based sampler.</param>
/// <param name="Remasking">Confidence that ranks masked positions.</param>
/// <param name="Commit">How many ranked positions a step commits.</param>
/// <param name="CommitParameter">Threshold or factor of <paramref name="Commit"/>.</param>
/// <param name="KvCache">Block K/V caching (Fast-dLLM); <see cref="KvCacheMode.None"/> computes the whole canvas every step.</param>
public sealed record DecodingSettings(
    float Temperature,
    ulong Seed,
    RemaskingStrategy Remasking,
    CommitRule Commit = CommitRule.Schedule,
    double CommitParameter = 0,
    KvCacheMode KvCache = KvCacheMode.None);
