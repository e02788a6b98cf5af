namespace Quicksilver.Engine.Compute;

/// <summary>Conversions between fp32 and bfloat16 bit patterns (the upper half of an fp32).</summary>
public static class BFloat16
{
    /// <summary>Widens a bfloat16 bit pattern to fp32 exactly.</summary>
    public static float ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Narrows fp32 to bfloat16 with round-to-nearest-even, as PyTorch and CUDA's <c>__float2bfloat16</c> do.</summary>
    public static ushort FromSingle(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        uint roundingBias = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>Rounds fp32 to the nearest bfloat16 value and widens it back.</summary>
    public static float Round(float value) => ToSingle(FromSingle(value));
}
