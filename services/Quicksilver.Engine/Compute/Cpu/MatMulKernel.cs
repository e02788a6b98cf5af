using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// The register-blocked micro-kernel of <see cref="CpuMatMul"/>: six activation rows against one
/// <see cref="WeightPanel"/> (sixteen weight rows), twelve vector accumulators, one broadcast and two panel loads per
/// twelve fused multiply-adds. Each output is one fused multiply-add chain over k in order, <c>acc = fma(x[p], w[p], acc)</c>
/// from <c>p = 0</c>: the same arithmetic for any row in any batch. Panels hold fp32, or BF16 widened as they are
/// loaded (exactly: a BF16 value is the top half of its fp32), so both give the same sums.
/// </summary>
internal static unsafe class MatMulKernel
{
    public const int Rows = 6;

    /// <summary>
    /// <c>result[r · 16 + c] = Σ_p x_r[p] · panel[p · 16 + c]</c> for rows <c>x + r · stride</c>, <c>r &lt; rows</c>
    /// (1 to 6; missing rows repeat the first and their results are not written).
    /// </summary>
    public static void Run(float* x, long stride, int rows, int k, float* panel, float* result) =>
        Run<Fp32Panel>(x, stride, rows, k, panel, result);

    /// <summary><see cref="Run(float*, long, int, int, float*, float*)"/> over a panel of BF16 bit patterns.</summary>
    public static void Run(float* x, long stride, int rows, int k, ushort* panel, float* result) =>
        Run<Bf16Panel>(x, stride, rows, k, panel, result);

    private static void Run<TPanel>(float* x, long stride, int rows, int k, void* panel, float* result)
        where TPanel : struct, IPanelElements
    {
        float* x0 = x;
        float* x1 = rows > 1 ? x + stride : x;
        float* x2 = rows > 2 ? x + (2 * stride) : x;
        float* x3 = rows > 3 ? x + (3 * stride) : x;
        float* x4 = rows > 4 ? x + (4 * stride) : x;
        float* x5 = rows > 5 ? x + (5 * stride) : x;
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        byte* w = (byte*)panel;
        for (int p = 0; p < k; p++, w += WeightPanel.Width * TPanel.ElementBytes)
        {
            (Vector256<float> w0, Vector256<float> w1) = TPanel.Load(w);
            Vector256<float> a = Vector256.Create(x0[p]);
            c00 = Vector256.FusedMultiplyAdd(a, w0, c00);
            c01 = Vector256.FusedMultiplyAdd(a, w1, c01);
            a = Vector256.Create(x1[p]);
            c10 = Vector256.FusedMultiplyAdd(a, w0, c10);
            c11 = Vector256.FusedMultiplyAdd(a, w1, c11);
            a = Vector256.Create(x2[p]);
            c20 = Vector256.FusedMultiplyAdd(a, w0, c20);
            c21 = Vector256.FusedMultiplyAdd(a, w1, c21);
            a = Vector256.Create(x3[p]);
            c30 = Vector256.FusedMultiplyAdd(a, w0, c30);
            c31 = Vector256.FusedMultiplyAdd(a, w1, c31);
            a = Vector256.Create(x4[p]);
            c40 = Vector256.FusedMultiplyAdd(a, w0, c40);
            c41 = Vector256.FusedMultiplyAdd(a, w1, c41);
            a = Vector256.Create(x5[p]);
            c50 = Vector256.FusedMultiplyAdd(a, w0, c50);
            c51 = Vector256.FusedMultiplyAdd(a, w1, c51);
        }

        c00.Store(result);
        c01.Store(result + 8);
        c10.Store(result + 16);
        c11.Store(result + 24);
        c20.Store(result + 32);
        c21.Store(result + 40);
        c30.Store(result + 48);
        c31.Store(result + 56);
        c40.Store(result + 64);
        c41.Store(result + 72);
        c50.Store(result + 80);
        c51.Store(result + 88);
    }

    /// <summary>How one step along k of a panel (sixteen weights) is read as two fp32 vectors.</summary>
    private interface IPanelElements
    {
        static abstract int ElementBytes { get; }

        static abstract (Vector256<float> Low, Vector256<float> High) Load(byte* step);
    }

    private readonly struct Fp32Panel : IPanelElements
    {
        public static int ElementBytes => sizeof(float);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (Vector256<float> Low, Vector256<float> High) Load(byte* step) =>
            (Vector256.Load((float*)step), Vector256.Load((float*)step + 8));
    }

    private readonly struct Bf16Panel : IPanelElements
    {
        public static int ElementBytes => sizeof(ushort);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (Vector256<float> Low, Vector256<float> High) Load(byte* step)
        {
            (Vector256<uint> low, Vector256<uint> high) = Vector256.Widen(Vector256.Load((ushort*)step));
            return (Vector256.ShiftLeft(low, 16).AsSingle(), Vector256.ShiftLeft(high, 16).AsSingle());
        }
    }
}
