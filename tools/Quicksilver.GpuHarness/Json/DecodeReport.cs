namespace Quicksilver.GpuHarness.Json;

/// <summary>Everything <c>decode</c> measured, written to its <c>--out</c> file.</summary>
internal sealed record DecodeReport(
    string StartedUtc,
    DeviceSummary Device,
    string Model,
    double Parameters,
    int PromptLength,
    int MaxTokens,
    int BlockLength,
    double KvCacheMiBPerSequence,
    double ModelLoadMs,
    IReadOnlyList<DecodeRow> Rows,
    IReadOnlyList<string> Notes);

/// <summary>
/// One cell: <paramref name="Concurrency"/> requests decoded together with one decoding and one K/V cache mode.
/// <paramref name="TokensPerSecond"/> counts every answer token over the wall time; <paramref name="TokensPerSecondPerRequest"/>
/// is what one request sees. The comparisons are against the no-cache row of the same concurrency and decoding.
/// </summary>
internal sealed record DecodeRow(
    int Concurrency,
    string Decoding,
    string KvCache,
    double WallSeconds,
    double MeanSteps,
    double TokensPerSecond,
    double TokensPerSecondPerRequest,
    double? SpeedupOverNone,
    double? IdenticalToNone,
    double? TokensSameAsNone,
    string? Skipped);
