using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>An fp32 <see cref="IKvCache"/> in one block of native, 64-byte aligned memory: <c>[layer][keys | values][position][width]</c>.</summary>
internal sealed unsafe class CpuKvCache : IKvCache
{
    private float* _data;

    public CpuKvCache(int layers, int positions, int keyValueWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(positions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(keyValueWidth, 1);
        Layers = layers;
        Positions = positions;
        KeyValueWidth = keyValueWidth;
        Bytes = BytesFor(layers, positions, keyValueWidth);
        _data = (float*)NativeMemory.AlignedAlloc((nuint)Bytes, 64);
    }

    public int Layers { get; }

    public int Positions { get; }

    public int KeyValueWidth { get; }

    public long Bytes { get; }

    public static long BytesFor(int layers, int positions, int keyValueWidth) => checked((long)layers * 2 * positions * keyValueWidth * sizeof(float));

    /// <summary>Key row of <paramref name="position"/> at <paramref name="layer"/>; the rows of a layer follow each other.</summary>
    public float* Keys(int layer, int position) => Layer(layer) + ((long)position * KeyValueWidth);

    /// <summary>Value row of <paramref name="position"/> at <paramref name="layer"/>.</summary>
    public float* Values(int layer, int position) => Layer(layer) + ((long)(Positions + position) * KeyValueWidth);

    public void Dispose()
    {
        if (_data != null)
        {
            NativeMemory.AlignedFree(_data);
            _data = null;
        }
    }

    private float* Layer(int layer)
    {
        ObjectDisposedException.ThrowIf(_data == null, this);
        return _data + ((long)layer * 2 * Positions * KeyValueWidth);
    }
}
