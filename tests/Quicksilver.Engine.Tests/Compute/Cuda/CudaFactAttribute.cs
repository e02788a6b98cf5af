using Quicksilver.Engine.Compute.Cuda;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

/// <summary>
/// A fact that runs only where a CUDA device can be used: skipped with "no CUDA device: …" when libcuda.so.1 cannot
/// be loaded, <c>cuInit</c> fails or <c>cuDeviceGetCount</c> is 0.
/// </summary>
public sealed class CudaFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> SkipReason = new(() =>
        CudaProbe.TryDetect(0, out _, out string reason) ? null : $"no CUDA device: {reason}");

    public CudaFactAttribute()
    {
        if (SkipReason.Value is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>True when CUDA tests run on this machine.</summary>
    public static bool DeviceAvailable => SkipReason.Value is null;
}
