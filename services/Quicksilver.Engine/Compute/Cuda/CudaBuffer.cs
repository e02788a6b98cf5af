using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>A row-major matrix in device memory: bf16 activations or fp32 logits.</summary>
internal sealed class CudaBuffer : IDeviceBuffer
{
    private readonly CudaDeviceMemoryHandle memory;
    private int rows;

    public CudaBuffer(CudaDeviceMemoryHandle memory, int capacity, int columns, CudaElementType elementType)
    {
        this.memory = memory;
        Capacity = capacity;
        Columns = columns;
        ElementType = elementType;
    }

    public int Rows
    {
        get => rows;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Capacity);
            rows = value;
        }
    }

    public int Columns { get; }

    public int Capacity { get; }

    public CudaElementType ElementType { get; }

    /// <summary>Bytes per element.</summary>
    public int ElementSize => ElementType == CudaElementType.BFloat16 ? 2 : 4;

    /// <summary>Elements in the rows in use.</summary>
    public long ElementCount => (long)rows * Columns;

    /// <summary>Device address of row 0.</summary>
    public ulong Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(memory.IsClosed, this);
            return memory.Pointer;
        }
    }

    /// <summary>Bytes allocated (capacity × columns × element size).</summary>
    public long CapacityBytes => (long)Capacity * Columns * ElementSize;

    public void Dispose() => memory.Dispose();

    public override string ToString() => $"CudaBuffer[{rows}/{Capacity} x {Columns} {ElementType}]";
}
