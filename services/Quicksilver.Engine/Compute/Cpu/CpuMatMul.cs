using System.Buffers;
using System.Runtime.Intrinsics;
using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// <c>y = x · Wᵀ (+ b)</c> with W stored <c>[N, K]</c> (PyTorch's Linear layout). Activation rows are taken in
/// blocks that fit L2 (a batch of canvases is megabytes: swept whole for every tile, it would stream from L3 and
/// halve the throughput); within a block, work is split over tiles of <see cref="TileRows"/> weight rows; each task
/// widens its tile to fp32 and sweeps the block's rows two rows × four weight rows at a time (eight independent FMA
/// chains). Every output element is the same
/// fixed-order dot product as <see cref="FixedOrderMath.Dot"/>, whichever micro-kernel computed it, so results do
/// not depend on the batch size or on how rows pair up.
/// </summary>
internal static unsafe class CpuMatMul
{
    public const int TileRows = 16;

    /// <summary>Activation bytes per row block: sweeping a block for every tile keeps it in a 512 KiB L2.</summary>
    private const int RowBlockBytes = 192 * 1024;

    public static void Run(CpuBuffer x, CpuWeight weight, CpuWeight? bias, CpuBuffer y, ParallelOptions parallel)
    {
        int m = x.Rows, k = x.Columns, n = weight.Rows;
        if (weight.Columns != k || y.Columns != n)
        {
            throw new ArgumentException($"MatMul shapes disagree: x [{m}, {k}], {weight.Name} [{n}, {weight.Columns}], y [*, {y.Columns}].");
        }

        y.Rows = m;
        if (m == 0)
        {
            return;
        }

        float[]? biasRow = bias is null ? null : bias.Vector ?? throw new ArgumentException($"Bias {bias.Name} has more than one row.", nameof(bias));

        int tiles = (n + TileRows - 1) / TileRows;
        bool widen = weight.DType != TensorDType.F32;
        int blockRows = Math.Min(m, Math.Max(2, RowBlockBytes / (k * sizeof(float))) & ~1);
        for (int first = 0; first < m; first += blockRows)
        {
            int rows = Math.Min(blockRows, m - first);
            Parallel.For(
                0,
                tiles,
                parallel,
                () => widen ? ArrayPool<float>.Shared.Rent(TileRows * k) : [],
                (tile, _, scratch) =>
                {
                    fixed (float* widened = scratch)
                    {
                        RunTile(x, weight, biasRow, y, tile, first, rows, widen ? widened : null);
                    }

                    return scratch;
                },
                scratch =>
                {
                    if (widen)
                    {
                        ArrayPool<float>.Shared.Return(scratch);
                    }
                });
        }
    }

    private static void RunTile(CpuBuffer x, CpuWeight weight, float[]? bias, CpuBuffer y, int tile, int firstRow, int m, float* widened)
    {
        int k = x.Columns, n = weight.Rows;
        int j0 = tile * TileRows;
        int count = Math.Min(TileRows, n - j0);
        float** w = stackalloc float*[TileRows];
        for (int j = 0; j < count; j++)
        {
            if (widened is null)
            {
                w[j] = weight.Fp32Row(j0 + j);
            }
            else
            {
                w[j] = widened + ((long)j * k);
                weight.ReadRow(j0 + j, new Span<float>(w[j], k));
            }
        }

        float* output = stackalloc float[8];
        for (int i = 0; i < m; i += 2)
        {
            float* x0 = x.Data + ((long)(firstRow + i) * k);
            float* y0 = y.Data + ((long)(firstRow + i) * n) + j0;
            bool pair = i + 1 < m;
            float* x1 = pair ? x0 + k : x0;
            float* y1 = y0 + n;
            int j = 0;
            for (; j + 4 <= count; j += 4)
            {
                Kernel2x4(x0, x1, w[j], w[j + 1], w[j + 2], w[j + 3], k, output);
                for (int c = 0; c < 4; c++)
                {
                    y0[j + c] = output[c] + (bias is null ? 0f : bias[j0 + j + c]);
                    if (pair)
                    {
                        y1[j + c] = output[4 + c] + (bias is null ? 0f : bias[j0 + j + c]);
                    }
                }
            }

            for (; j < count; j++)
            {
                float b = bias is null ? 0f : bias[j0 + j];
                y0[j] = FixedOrderMath.Dot(x0, w[j], k) + b;
                if (pair)
                {
                    y1[j] = FixedOrderMath.Dot(x1, w[j], k) + b;
                }
            }
        }
    }

    /// <summary>Eight dot products: rows x0, x1 against weight rows w0..w3; results [x0·w0..w3, x1·w0..w3].</summary>
    private static void Kernel2x4(float* x0, float* x1, float* w0, float* w1, float* w2, float* w3, int k, float* result)
    {
        Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector256<float> a10 = default, a11 = default, a12 = default, a13 = default;
        int p = 0;
        for (; p + 8 <= k; p += 8)
        {
            Vector256<float> v0 = Vector256.Load(x0 + p);
            Vector256<float> v1 = Vector256.Load(x1 + p);
            Vector256<float> w = Vector256.Load(w0 + p);
            a00 = Vector256.FusedMultiplyAdd(v0, w, a00);
            a10 = Vector256.FusedMultiplyAdd(v1, w, a10);
            w = Vector256.Load(w1 + p);
            a01 = Vector256.FusedMultiplyAdd(v0, w, a01);
            a11 = Vector256.FusedMultiplyAdd(v1, w, a11);
            w = Vector256.Load(w2 + p);
            a02 = Vector256.FusedMultiplyAdd(v0, w, a02);
            a12 = Vector256.FusedMultiplyAdd(v1, w, a12);
            w = Vector256.Load(w3 + p);
            a03 = Vector256.FusedMultiplyAdd(v0, w, a03);
            a13 = Vector256.FusedMultiplyAdd(v1, w, a13);
        }

        float t00 = 0, t01 = 0, t02 = 0, t03 = 0, t10 = 0, t11 = 0, t12 = 0, t13 = 0;
        for (; p < k; p++)
        {
            t00 = MathF.FusedMultiplyAdd(x0[p], w0[p], t00);
            t01 = MathF.FusedMultiplyAdd(x0[p], w1[p], t01);
            t02 = MathF.FusedMultiplyAdd(x0[p], w2[p], t02);
            t03 = MathF.FusedMultiplyAdd(x0[p], w3[p], t03);
            t10 = MathF.FusedMultiplyAdd(x1[p], w0[p], t10);
            t11 = MathF.FusedMultiplyAdd(x1[p], w1[p], t11);
            t12 = MathF.FusedMultiplyAdd(x1[p], w2[p], t12);
            t13 = MathF.FusedMultiplyAdd(x1[p], w3[p], t13);
        }

        result[0] = FixedOrderMath.HorizontalSum(a00) + t00;
        result[1] = FixedOrderMath.HorizontalSum(a01) + t01;
        result[2] = FixedOrderMath.HorizontalSum(a02) + t02;
        result[3] = FixedOrderMath.HorizontalSum(a03) + t03;
        result[4] = FixedOrderMath.HorizontalSum(a10) + t10;
        result[5] = FixedOrderMath.HorizontalSum(a11) + t11;
        result[6] = FixedOrderMath.HorizontalSum(a12) + t12;
        result[7] = FixedOrderMath.HorizontalSum(a13) + t13;
    }
}
