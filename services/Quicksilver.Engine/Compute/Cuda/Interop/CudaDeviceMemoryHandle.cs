namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>Device memory from <c>cuMemAlloc_v2</c> (<c>CUdeviceptr</c>); release calls <c>cuMemFree_v2</c>.</summary>
internal sealed class CudaDeviceMemoryHandle : CudaContextBoundHandle
{
    private CudaDeviceMemoryHandle(ulong pointer, long bytes, nint context)
        : base((nint)pointer, context)
    {
        Bytes = bytes;
    }

    /// <summary>The device address.</summary>
    public ulong Pointer => (ulong)handle;

    /// <summary>Size of the allocation in bytes.</summary>
    public long Bytes { get; }

    /// <summary>Allocates <paramref name="bytes"/> (at least 1) in the current context.</summary>
    public static CudaDeviceMemoryHandle Allocate(long bytes, nint context)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        long size = Math.Max(bytes, 1);
        CudaCheck.Driver(
            CudaDriverApi.cuMemAlloc_v2(out ulong pointer, (nuint)size),
            nameof(CudaDriverApi.cuMemAlloc_v2),
            $"requested {size} bytes");
        return new CudaDeviceMemoryHandle(pointer, bytes, context);
    }

    protected override int Free(nint value) => CudaDriverApi.cuMemFree_v2((ulong)value);
}
