using Quicksilver.Engine.Compute.Cuda;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

/// <summary>
/// A fact that runs only where a CUDA device can be used: skipped with "no CUDA device: …" when libcuda.so.1 cannot
/// be loaded, <c>cuInit</c> fails or <c>cuDeviceGetCount</c> is 0. The device may be the CPU emulator of
/// <c>kernels/emulator</c> (<c>QS_CUDA_LIB_DIRS</c>).
/// </summary>
public sealed class CudaFactAttribute : FactAttribute
{
    private static readonly Lazy<(string? Skip, CudaDeviceInfo? Device)> Probe = new(() =>
        CudaProbe.TryDetect(0, out CudaDeviceInfo? device, out string reason) ? (null, device) : ($"no CUDA device: {reason}", null));

    private bool needsTensorCores;

    public CudaFactAttribute()
    {
        if (Probe.Value.Skip is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>Also skip on a device without the tensor-core attention kernel (compute capability below 8.0).</summary>
    public bool NeedsTensorCores
    {
        get => needsTensorCores;
        set
        {
            needsTensorCores = value;
            if (value && Skip is null && Probe.Value.Device is { ComputeCapabilityMajor: < 8 } device)
            {
                Skip = $"{device.Name} is {device.Architecture}; the tensor-core attention kernel needs sm_80 or newer";
            }
        }
    }

    /// <summary>True when CUDA tests run on this machine.</summary>
    public static bool DeviceAvailable => Probe.Value.Skip is null;
}
