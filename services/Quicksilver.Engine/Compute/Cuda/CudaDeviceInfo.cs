namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>What the driver reports about one CUDA device.</summary>
/// <param name="Ordinal">Device index (as in <c>CUDA_VISIBLE_DEVICES</c> order).</param>
/// <param name="Name">Marketing name, e.g. <c>NVIDIA H200</c>.</param>
/// <param name="ComputeCapabilityMajor">Compute capability, major part (9 on Hopper).</param>
/// <param name="ComputeCapabilityMinor">Compute capability, minor part.</param>
/// <param name="MultiprocessorCount">Streaming multiprocessors.</param>
/// <param name="TotalMemoryBytes">Device memory in bytes.</param>
/// <param name="MaxSharedMemoryPerBlockOptin">Shared memory one block may use after opting in, in bytes.</param>
/// <param name="DriverVersion">CUDA version the driver supports, e.g. 13000 for 13.0.</param>
public sealed record CudaDeviceInfo(
    int Ordinal,
    string Name,
    int ComputeCapabilityMajor,
    int ComputeCapabilityMinor,
    int MultiprocessorCount,
    long TotalMemoryBytes,
    int MaxSharedMemoryPerBlockOptin,
    int DriverVersion)
{
    /// <summary>The NVRTC target for this device, e.g. <c>sm_90</c>.</summary>
    public string Architecture => $"sm_{ComputeCapabilityMajor}{ComputeCapabilityMinor}";

    /// <summary>One line for logs: name, architecture, multiprocessors, memory and driver.</summary>
    public override string ToString() =>
        $"{Name} ({Architecture}, {MultiprocessorCount} SMs, {TotalMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB, driver CUDA {DriverVersion / 1000}.{DriverVersion % 1000 / 10})";
}
