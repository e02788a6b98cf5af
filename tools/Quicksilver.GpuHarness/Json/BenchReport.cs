namespace Quicksilver.GpuHarness.Json;

/// <summary>Everything <c>bench</c> measured, written to its <c>--out</c> file.</summary>
internal sealed record BenchReport(
    string StartedUtc,
    DeviceSummary Device,
    string Model,
    int Layers,
    int Hidden,
    int Heads,
    int Intermediate,
    int Vocab,
    int PromptLength,
    int GenerationLength,
    double WeightGiB,
    double WeightInitMs,
    int GemmPeakN,
    double GemmPeakTflops,
    string TokensPerSecondDefinition,
    IReadOnlyList<BenchBatchResult> Batches,
    IReadOnlyList<BlockStepResult> BlockSteps,
    IReadOnlyList<string> Notes);
