namespace Quicksilver.GpuHarness.Json;

/// <summary>
/// One comparison of a CUDA output with the CPU reference: ‖out − ref‖/‖ref‖, the largest |out − ref|, and how many
/// elements broke |out − ref| ≤ atol + rtol·|ref| (NaN always breaks it).
/// </summary>
internal sealed record ParityMetric(
    string Label,
    string DType,
    long Elements,
    double RelativeL2,
    double MaxAbsError,
    double MaxAbsReference,
    long Violations,
    double ToleranceRelativeL2,
    double ToleranceAbsolute,
    double ToleranceRelative,
    bool Passed,
    string? FirstViolation);
