namespace Quicksilver.Engine.Checkpoints;

/// <summary>Sizes and names of <see cref="TensorDType"/> values.</summary>
public static class TensorDTypeExtensions
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this TensorDType dtype) => dtype switch
    {
        TensorDType.F32 => 4,
        TensorDType.F16 => 2,
        TensorDType.BF16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The safetensors header spelling (<c>F32</c>, <c>F16</c>, <c>BF16</c>).</summary>
    public static string ToSafetensorsName(this TensorDType dtype) => dtype.ToString();
}
