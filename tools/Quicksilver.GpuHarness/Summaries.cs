using Quicksilver.Engine.Compute.Cuda;
using Quicksilver.GpuHarness.Json;

namespace Quicksilver.GpuHarness;

/// <summary>Report fragments shared by the commands.</summary>
internal static class Summaries
{
    public static DeviceSummary Of(CudaBackend backend)
    {
        CudaDeviceInfo d = backend.Device;
        return new DeviceSummary(
            d.Name,
            d.Architecture,
            d.MultiprocessorCount,
            d.TotalMemoryBytes / (1024.0 * 1024 * 1024),
            d.DriverVersion,
            $"{backend.NvrtcVersion.Major}.{backend.NvrtcVersion.Minor}",
            backend.CublasVersion,
            backend.AttentionKernelName,
            backend.Libraries);
    }
}
