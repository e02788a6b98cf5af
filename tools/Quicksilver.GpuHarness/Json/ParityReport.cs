namespace Quicksilver.GpuHarness.Json;

/// <summary>Everything <c>parity</c> found, written to its <c>--out</c> file.</summary>
internal sealed record ParityReport(
    string StartedUtc,
    int Seed,
    DeviceSummary? Device,
    string? DeviceError,
    int Passed,
    int Failed,
    int Skipped,
    IReadOnlyList<ParityCheckResult> Checks);
