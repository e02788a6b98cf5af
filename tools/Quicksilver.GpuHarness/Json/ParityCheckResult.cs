namespace Quicksilver.GpuHarness.Json;

/// <summary>The outcome of one parity check (one child process).</summary>
internal sealed record ParityCheckResult(
    string Name,
    string Status,
    double Seconds,
    string? Error,
    IReadOnlyList<ParityMetric> Metrics,
    IReadOnlyList<string> Notes)
{
    public const string Pass = "pass";
    public const string Fail = "fail";
    public const string Skip = "skip";
}
