namespace Quicksilver.GpuHarness.Json;

/// <summary>One batch size of the full-canvas benchmark.</summary>
internal sealed record BenchBatchResult(
    int Batch,
    int TokensPerStep,
    int ScoredRowsPerStep,
    double StepMsMedian,
    double StepMsMin,
    double StepMsMax,
    IReadOnlyList<double> StepMsSamples,
    double AttentionMs,
    double LmHeadMs,
    double ScoreLogitsMs,
    double GemmFlops,
    double AttentionFlops,
    double LmHeadFlops,
    double AchievedTflops,
    double FractionOfGemmPeak,
    double TokensPerSecondSteps256,
    double TokensPerSecondSteps64,
    string? Error);
