namespace Quicksilver.Engine.Checkpoints;

/// <summary>One validated tensor entry of a safetensors header.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Shape, outermost first.</param>
/// <param name="Begin">First byte, relative to the start of the data section.</param>
/// <param name="End">One past the last byte, relative to the start of the data section.</param>
internal sealed record SafetensorsHeaderEntry(string Name, TensorDType DType, long[] Shape, long Begin, long End)
{
    /// <summary>Size of the tensor's data in bytes.</summary>
    public long ByteLength => End - Begin;

    /// <summary>The offsets as the header writes them, for error messages.</summary>
    public string Offsets => $"[{Begin}, {End}]";
}
