using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>A bf16 <see cref="IKvCache"/> in one device allocation: <c>[layer][keys | values][position][width]</c>.</summary>
internal sealed class CudaKvCache : IKvCache
{
    private const int ElementSize = 2;

    private readonly CudaDeviceMemoryHandle memory;

    public CudaKvCache(CudaDeviceMemoryHandle memory, int layers, int positions, int keyValueWidth)
    {
        this.memory = memory;
        Layers = layers;
        Positions = positions;
        KeyValueWidth = keyValueWidth;
        Bytes = BytesFor(layers, positions, keyValueWidth);
    }

    public int Layers { get; }

    public int Positions { get; }

    public int KeyValueWidth { get; }

    public long Bytes { get; }

    /// <summary>Elements from one layer's keys and values to the next layer's.</summary>
    public long LayerStride => 2L * Positions * KeyValueWidth;

    public static long BytesFor(int layers, int positions, int keyValueWidth) => checked((long)layers * 2 * positions * keyValueWidth * ElementSize);

    /// <summary>Device address of the key row of <paramref name="position"/> at layer 0.</summary>
    public ulong KeyAddress(int position) => Base + (ulong)((long)position * KeyValueWidth * ElementSize);

    /// <summary>Device address of the value row of <paramref name="position"/> at layer 0.</summary>
    public ulong ValueAddress(int position) => Base + (ulong)((long)(Positions + position) * KeyValueWidth * ElementSize);

    public void Dispose() => memory.Dispose();

    private ulong Base
    {
        get
        {
            ObjectDisposedException.ThrowIf(memory.IsClosed, this);
            return memory.Pointer;
        }
    }
}
