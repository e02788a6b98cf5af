using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>A retained primary context (<c>cuDevicePrimaryCtxRetain</c>); release drops the reference.</summary>
internal sealed class CudaPrimaryContextHandle : SafeHandle
{
    public CudaPrimaryContextHandle(nint context, int device)
        : base(0, ownsHandle: true)
    {
        SetHandle(context);
        Device = device;
    }

    /// <summary>The device whose primary context this is.</summary>
    public int Device { get; }

    public override bool IsInvalid => handle == 0;

    /// <summary>Retains the primary context of <paramref name="device"/> (the one the CUDA runtime and cuBLAS use).</summary>
    public static CudaPrimaryContextHandle Retain(int device)
    {
        CudaCheck.Driver(CudaDriverApi.cuDevicePrimaryCtxRetain(out nint context, device), nameof(CudaDriverApi.cuDevicePrimaryCtxRetain));
        return new CudaPrimaryContextHandle(context, device);
    }

    protected override bool ReleaseHandle()
    {
        try
        {
            return CudaDriverApi.cuDevicePrimaryCtxRelease_v2(Device) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
