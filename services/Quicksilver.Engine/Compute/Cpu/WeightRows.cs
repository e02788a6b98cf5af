using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>Widening of stored weight rows (BF16, F16, F32) to fp32.</summary>
internal static unsafe class WeightRows
{
    public static void Widen(TensorDType dtype, byte* data, int row, int columns, Span<float> destination)
    {
        long start = (long)row * columns;
        switch (dtype)
        {
            case TensorDType.F32:
                new ReadOnlySpan<float>((float*)data + start, columns).CopyTo(destination);
                break;
            case TensorDType.F16:
                TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>((Half*)data + start, columns), destination);
                break;
            case TensorDType.BF16:
                WidenBFloat16((ushort*)data + start, columns, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null);
        }
    }

    /// <summary>bf16 → fp32 is a 16-bit left shift of the bit pattern; eight at a time.</summary>
    private static void WidenBFloat16(ushort* source, int count, Span<float> destination)
    {
        fixed (float* dst = destination)
        {
            int i = 0;
            for (; i + 16 <= count; i += 16)
            {
                Vector256<ushort> packed = Vector256.Load(source + i);
                (Vector256<uint> low, Vector256<uint> high) = Vector256.Widen(packed);
                Vector256.ShiftLeft(low, 16).AsSingle().Store(dst + i);
                Vector256.ShiftLeft(high, 16).AsSingle().Store(dst + i + 8);
            }

            for (; i < count; i++)
            {
                dst[i] = BFloat16.ToSingle(source[i]);
            }
        }
    }
}
