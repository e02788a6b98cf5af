using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// Reductions whose summation order depends only on the length of the input, never on its address or on what else
/// is in the batch: eight fp32 lanes accumulated with fused multiply-adds, a fixed lane tree, then a scalar tail.
/// Every reduction outside the matrix products goes through these (those are in-order FMA chains,
/// <see cref="MatMulKernel"/>), which is what makes a sequence's result batch-invariant.
/// </summary>
internal static unsafe class FixedOrderMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalSum(Vector256<float> v)
    {
        Vector128<float> pair = v.GetLower() + v.GetUpper();
        float a = pair.GetElement(0) + pair.GetElement(2);
        float b = pair.GetElement(1) + pair.GetElement(3);
        return a + b;
    }

    public static float Dot(float* x, float* y, int length)
    {
        Vector256<float> acc = Vector256<float>.Zero;
        int k = 0;
        for (; k + 8 <= length; k += 8)
        {
            acc = Vector256.FusedMultiplyAdd(Vector256.Load(x + k), Vector256.Load(y + k), acc);
        }

        float tail = 0f;
        for (; k < length; k++)
        {
            tail = MathF.FusedMultiplyAdd(x[k], y[k], tail);
        }

        return HorizontalSum(acc) + tail;
    }

    public static float Sum(float* x, int length)
    {
        Vector256<float> acc = Vector256<float>.Zero;
        int k = 0;
        for (; k + 8 <= length; k += 8)
        {
            acc += Vector256.Load(x + k);
        }

        float tail = 0f;
        for (; k < length; k++)
        {
            tail += x[k];
        }

        return HorizontalSum(acc) + tail;
    }
}
