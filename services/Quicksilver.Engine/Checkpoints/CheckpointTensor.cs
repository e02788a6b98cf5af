namespace Quicksilver.Engine.Checkpoints;

/// <summary>
/// One tensor of a checkpoint, read in place from a memory-mapped safetensors file.
/// The bytes stay valid while the <see cref="ITensorSource"/> that produced it is alive.
/// </summary>
public sealed unsafe class CheckpointTensor
{
    internal CheckpointTensor(string name, TensorDType dtype, long[] shape, byte* data, long byteLength, string filePath)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        Data = data;
        ByteLength = byteLength;
        FilePath = filePath;
    }

    /// <summary>The tensor's name in the checkpoint, e.g. <c>model.transformer.wte.weight</c>.</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public TensorDType DType { get; }

    /// <summary>Shape, outermost dimension first (row-major).</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The file that holds the tensor; named in every error about it.</summary>
    public string FilePath { get; }

    /// <summary>Pointer to the first element inside the mapped file.</summary>
    public byte* Data { get; }

    /// <summary>Size of the data in bytes (element count × element size).</summary>
    public long ByteLength { get; }

    /// <summary>Number of elements.</summary>
    public long ElementCount => ByteLength / DType.ElementSize();
}
