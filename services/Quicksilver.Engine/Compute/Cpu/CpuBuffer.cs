using System.Runtime.InteropServices;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>An fp32 row-major activation matrix in native, 64-byte aligned memory.</summary>
internal sealed unsafe class CpuBuffer : IDeviceBuffer
{
    private int _rows;

    public CpuBuffer(int capacity, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        Capacity = capacity;
        Columns = columns;
        _rows = capacity;
        Data = (float*)NativeMemory.AlignedAlloc((nuint)((long)capacity * columns * sizeof(float)), 64);
    }

    public float* Data { get; private set; }

    public int Columns { get; }

    public int Capacity { get; }

    public int Rows
    {
        get => _rows;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Capacity);
            _rows = value;
        }
    }

    public Span<float> Row(int row) => new(Data + ((long)row * Columns), Columns);

    public Span<float> InUse => new(Data, checked(_rows * Columns));

    public void Dispose()
    {
        if (Data != null)
        {
            NativeMemory.AlignedFree(Data);
            Data = null;
        }
    }
}
