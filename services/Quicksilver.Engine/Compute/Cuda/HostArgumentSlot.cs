using System.Numerics;
using System.Runtime.InteropServices;
using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>
/// A small per-step argument (token ids, positions, cu_seqlens, row indices, sampling parameters) on its way to
/// the device: staged in pinned host memory and copied with one async copy on the backend's stream. An upload whose
/// bytes equal the previous one reuses the device copy (RoPE positions and the attention layout are the same for
/// every layer of a step), so a step copies each distinct argument once.
/// </summary>
internal sealed unsafe class HostArgumentSlot : IDisposable
{
    private readonly string name;
    private readonly nint context;
    private readonly CudaEventHandle copied;
    private CudaPinnedMemoryHandle? host;
    private CudaDeviceMemoryHandle? device;
    private long lastBytes = -1;
    private bool copyPending;

    public HostArgumentSlot(string name, nint context)
    {
        this.name = name;
        this.context = context;
        CudaCheck.Driver(CudaDriverApi.cuEventCreate(out copied, 0x2 /* CU_EVENT_DISABLE_TIMING */), nameof(CudaDriverApi.cuEventCreate), name);
        copied.Context = context;
    }

    /// <summary>Uploads <paramref name="values"/> (or reuses the identical previous upload) and returns the device address.</summary>
    public ulong Upload<T>(ReadOnlySpan<T> values, CudaStreamHandle stream)
        where T : unmanaged
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
        if (host is not null && device is not null && lastBytes == bytes.Length && bytes.SequenceEqual(new ReadOnlySpan<byte>(host.Pointer, bytes.Length)))
        {
            return device.Pointer;
        }

        EnsureCapacity(Math.Max(bytes.Length, 1), stream);
        if (copyPending)
        {
            // The pinned staging may still be read by the previous copy.
            CudaCheck.Driver(CudaDriverApi.cuEventSynchronize(copied), nameof(CudaDriverApi.cuEventSynchronize), name);
            copyPending = false;
        }

        bytes.CopyTo(new Span<byte>(host!.Pointer, bytes.Length));
        if (bytes.Length > 0)
        {
            CudaCheck.Driver(CudaDriverApi.cuMemcpyHtoDAsync_v2(device!.Pointer, host.Pointer, (nuint)bytes.Length, stream), nameof(CudaDriverApi.cuMemcpyHtoDAsync_v2), name);
            CudaCheck.Driver(CudaDriverApi.cuEventRecord(copied, stream), nameof(CudaDriverApi.cuEventRecord), name);
            copyPending = true;
        }

        lastBytes = bytes.Length;
        return device!.Pointer;
    }

    /// <summary>Forgets the previous contents, so the next upload copies even if the bytes are equal.</summary>
    public void Invalidate() => lastBytes = -1;

    public void Dispose()
    {
        host?.Dispose();
        device?.Dispose();
        copied.Dispose();
    }

    private void EnsureCapacity(long bytes, CudaStreamHandle stream)
    {
        if (host is not null && host.Bytes >= bytes)
        {
            return;
        }

        long size = Math.Max(4096, (long)BitOperations.RoundUpToPowerOf2((ulong)bytes));
        // Kernels queued earlier may still read the old device copy and the old staging: drain the stream first.
        CudaCheck.Driver(CudaDriverApi.cuStreamSynchronize(stream), nameof(CudaDriverApi.cuStreamSynchronize), name);
        copyPending = false;
        host?.Dispose();
        device?.Dispose();
        host = CudaPinnedMemoryHandle.Allocate(size, context);
        device = CudaDeviceMemoryHandle.Allocate(size, context);
        lastBytes = -1;
    }
}
