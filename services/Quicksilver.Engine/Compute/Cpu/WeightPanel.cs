using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// Sixteen weight rows packed for <see cref="MatMulKernel"/>: fp32, k-major (<c>panel[p · 16 + c] = W[first + c, p]</c>),
/// so that one step along k reads sixteen output columns as two contiguous vectors. Rows past the weight's end are
/// zeros, whose products add exactly nothing.
/// </summary>
internal static unsafe class WeightPanel
{
    public const int Width = 16;

    /// <summary>Floats of scratch <see cref="Pack"/> needs: a widened copy of the sixteen rows (BF16 and F16 weights).</summary>
    public static int ScratchFloats(int k) => Width * k;

    /// <summary>Packs rows <c>[first, first + 16)</c> of <paramref name="weight"/> into <paramref name="panel"/> (16 · k floats).</summary>
    public static void Pack(CpuWeight weight, int first, float* scratch, float* panel)
    {
        int k = weight.Columns;
        int count = Math.Min(Width, weight.Rows - first);
        float** rows = stackalloc float*[Width];
        for (int c = 0; c < Width; c++)
        {
            if (c < count && weight.DType == Checkpoints.TensorDType.F32)
            {
                rows[c] = weight.Fp32Row(first + c);
                continue;
            }

            rows[c] = scratch + ((long)c * k);
            Span<float> row = new(rows[c], k);
            if (c < count)
            {
                weight.ReadRow(first + c, row);
            }
            else
            {
                row.Clear();
            }
        }

        PackRows(rows, k, panel);
    }

    /// <summary>
    /// Packs rows <c>[first, first + 16)</c> of a BF16 weight, keeping BF16 (<see cref="MatMulKernel"/> widens as it
    /// loads), into <paramref name="panel"/> (16 · k values, k-major; zeros past the last row).
    /// </summary>
    public static void PackBf16(CpuWeight weight, int first, ushort* panel)
    {
        int k = weight.Columns;
        int count = Math.Min(Width, weight.Rows - first);
        var rows = (ushort*)weight.Data + ((long)first * k);
        for (int p = 0; p < k; p++)
        {
            ushort* step = panel + ((long)p * Width);
            for (int c = 0; c < Width; c++)
            {
                step[c] = c < count ? rows[((long)c * k) + p] : (ushort)0;
            }
        }
    }

    /// <summary>
    /// Packs sixteen rows of <paramref name="k"/> floats, given by pointer (repeat a zero row for missing ones), into
    /// <paramref name="panel"/> (16 · k floats, k-major).
    /// </summary>
    public static void PackRows(float** rows, int k, float* panel)
    {
        for (int half = 0; half < Width; half += 8)
        {
            int p = 0;
            if (Avx.IsSupported)
            {
                for (; p + 8 <= k; p += 8)
                {
                    Transpose8x8(rows + half, p, panel + ((long)p * Width) + half);
                }
            }

            for (; p < k; p++)
            {
                for (int c = 0; c < 8; c++)
                {
                    panel[((long)p * Width) + half + c] = rows[half + c][p];
                }
            }
        }
    }

    /// <summary>Columns <c>[p, p + 8)</c> of eight rows, written as eight k-major runs of eight, <see cref="Width"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float** rows, int p, float* destination)
    {
        Vector256<float> t0 = Avx.UnpackLow(Vector256.Load(rows[0] + p), Vector256.Load(rows[1] + p));
        Vector256<float> t1 = Avx.UnpackHigh(Vector256.Load(rows[0] + p), Vector256.Load(rows[1] + p));
        Vector256<float> t2 = Avx.UnpackLow(Vector256.Load(rows[2] + p), Vector256.Load(rows[3] + p));
        Vector256<float> t3 = Avx.UnpackHigh(Vector256.Load(rows[2] + p), Vector256.Load(rows[3] + p));
        Vector256<float> t4 = Avx.UnpackLow(Vector256.Load(rows[4] + p), Vector256.Load(rows[5] + p));
        Vector256<float> t5 = Avx.UnpackHigh(Vector256.Load(rows[4] + p), Vector256.Load(rows[5] + p));
        Vector256<float> t6 = Avx.UnpackLow(Vector256.Load(rows[6] + p), Vector256.Load(rows[7] + p));
        Vector256<float> t7 = Avx.UnpackHigh(Vector256.Load(rows[6] + p), Vector256.Load(rows[7] + p));
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44);
        Vector256<float> s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44);
        Vector256<float> s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44);
        Vector256<float> s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44);
        Vector256<float> s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).Store(destination);
        Avx.Permute2x128(s1, s5, 0x20).Store(destination + Width);
        Avx.Permute2x128(s2, s6, 0x20).Store(destination + (2 * Width));
        Avx.Permute2x128(s3, s7, 0x20).Store(destination + (3 * Width));
        Avx.Permute2x128(s0, s4, 0x31).Store(destination + (4 * Width));
        Avx.Permute2x128(s1, s5, 0x31).Store(destination + (5 * Width));
        Avx.Permute2x128(s2, s6, 0x31).Store(destination + (6 * Width));
        Avx.Permute2x128(s3, s7, 0x31).Store(destination + (7 * Width));
    }
}
