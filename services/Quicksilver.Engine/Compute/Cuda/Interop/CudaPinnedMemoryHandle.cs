namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>Page-locked host memory from <c>cuMemAllocHost_v2</c> (for async copies); release calls <c>cuMemFreeHost</c>.</summary>
internal sealed unsafe class CudaPinnedMemoryHandle : CudaContextBoundHandle
{
    private CudaPinnedMemoryHandle(nint pointer, long bytes, nint context)
        : base(pointer, context)
    {
        Bytes = bytes;
    }

    /// <summary>Size of the allocation in bytes.</summary>
    public long Bytes { get; }

    /// <summary>The host address.</summary>
    public byte* Pointer => (byte*)handle;

    /// <summary>Allocates <paramref name="bytes"/> of pinned host memory in the current context.</summary>
    public static CudaPinnedMemoryHandle Allocate(long bytes, nint context)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        CudaCheck.Driver(
            CudaDriverApi.cuMemAllocHost_v2(out nint pointer, (nuint)bytes),
            nameof(CudaDriverApi.cuMemAllocHost_v2),
            $"requested {bytes} bytes");
        return new CudaPinnedMemoryHandle(pointer, bytes, context);
    }

    protected override int Free(nint value) => CudaDriverApi.cuMemFreeHost(value);
}
