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

    /// <summary>
    /// Σ x accumulated in double (four lanes, then a fixed tree): a peaked softmax row, one 1.0 among tens of thousands
    /// of exponentials near 1e-7, loses nothing to fp32 rounding (fp32 lanes drop a quarter of each term added after
    /// the 1.0, and the CUDA kernel, which merges per-thread partial sums, does not).
    /// </summary>
    public static double SumInDouble(float* x, int length)
    {
        Vector256<double> acc = Vector256<double>.Zero;
        int k = 0;
        for (; k + 8 <= length; k += 8)
        {
            (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(Vector256.Load(x + k));
            acc += lower + upper;
        }

        double tail = 0;
        for (; k < length; k++)
        {
            tail += x[k];
        }

        return HorizontalSum(acc) + tail;
    }

    /// <summary>Σ w·(x − center) accumulated in double, in the order of <see cref="SumInDouble"/>.</summary>
    public static double CenteredDotInDouble(float* w, float* x, float center, int length)
    {
        Vector256<double> acc = Vector256<double>.Zero;
        var centers = Vector256.Create(center);
        int k = 0;
        for (; k + 8 <= length; k += 8)
        {
            (Vector256<double> wLower, Vector256<double> wUpper) = Vector256.Widen(Vector256.Load(w + k));
            (Vector256<double> xLower, Vector256<double> xUpper) = Vector256.Widen(Vector256.Load(x + k) - centers);
            acc += (wLower * xLower) + (wUpper * xUpper);
        }

        double tail = 0;
        for (; k < length; k++)
        {
            tail += (double)w[k] * (x[k] - center);
        }

        return HorizontalSum(acc) + tail;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double HorizontalSum(Vector256<double> v)
    {
        Vector128<double> pair = v.GetLower() + v.GetUpper();
        return pair.GetElement(0) + pair.GetElement(1);
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
