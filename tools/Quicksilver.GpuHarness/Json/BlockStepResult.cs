namespace Quicksilver.GpuHarness.Json;

/// <summary>
/// The dual cache's two kinds of step at one batch size: the refresh (full canvas, K/V stored) and the step inside a
/// block (only the block's rows, attending over the cache), with the block step's GPU time split into its GEMMs,
/// attention and the rest, and its host wall time (launches, argument uploads and the score download included).
/// <paramref name="ModelledTokensPerSecond32Steps"/> is what one request of the batch would see for a 256-token answer
/// in 32 steps (8 refreshes and 24 block steps at these times).
/// </summary>
internal sealed record BlockStepResult(
    int Batch,
    int BlockRows,
    double RefreshMs,
    double BlockStepGpuMs,
    double BlockStepWallMs,
    double GemmMs,
    double GemmWeightTerabytesPerSecond,
    double AttentionMs,
    double LmHeadMs,
    double OtherGpuMs,
    double ModelledTokensPerSecond32Steps,
    string? Error);
