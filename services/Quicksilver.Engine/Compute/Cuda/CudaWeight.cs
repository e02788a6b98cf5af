using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>A resident parameter: 2-D matrices in bf16, 1-D vectors (norm scales, biases) in fp32.</summary>
internal sealed class CudaWeight : IWeight
{
    private readonly CudaDeviceMemoryHandle memory;

    public CudaWeight(string name, CudaDeviceMemoryHandle memory, int rows, int columns, CudaElementType elementType)
    {
        Name = name;
        this.memory = memory;
        Rows = rows;
        Columns = columns;
        ElementType = elementType;
    }

    public string Name { get; }

    public int Rows { get; }

    public int Columns { get; }

    public CudaElementType ElementType { get; }

    public long ElementCount => (long)Rows * Columns;

    public ulong Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(memory.IsClosed, this);
            return memory.Pointer;
        }
    }

    public void Dispose() => memory.Dispose();

    public override string ToString() => $"CudaWeight '{Name}' [{Rows} x {Columns} {ElementType}]";
}
