namespace Quicksilver.GpuHarness.Json;

/// <summary>The device and libraries a run used.</summary>
internal sealed record DeviceSummary(
    string Name,
    string Architecture,
    int MultiprocessorCount,
    double MemoryGiB,
    int DriverVersion,
    string Nvrtc,
    int CublasVersion,
    string AttentionKernel,
    string Libraries);
