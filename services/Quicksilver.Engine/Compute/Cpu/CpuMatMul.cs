using System.Buffers;
using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// <c>y = x · Wᵀ (+ b)</c> with W stored <c>[N, K]</c> (PyTorch's Linear layout), blocked for the cache: work is
/// split over groups of <see cref="WeightPanel"/>s (sixteen weight rows each, k-major: the BF16 panels a weight keeps,
/// or widened to fp32 and packed once per call for other weights) that together fit L2; each task sweeps every
/// activation row, six at a time, through <see cref="MatMulKernel"/> against each of its panels, so a group of six rows stays in L1 while the panels stream
/// from L2, and the activations are read from memory once per group rather than once per panel. Every output is the
/// same in-order fused multiply-add chain over k whatever the batch, so a sequence's result never depends on what
/// else is in it.
/// </summary>
internal static unsafe class CpuMatMul
{
    /// <summary>Panel bytes one task keeps resident: half of a 512 KiB L2, the rest for activations and outputs.</summary>
    private const int PanelGroupBytes = 256 * 1024;

    /// <summary>
    /// Activation rows up to which the micro-kernel reads kept BF16 panels directly (two passes at most); taller
    /// products widen each task's panels to fp32 once, which costs less than widening inside every pass.
    /// </summary>
    private const int DirectBf16Rows = 2 * MatMulKernel.Rows;

    /// <summary>Tasks per thread at least, so that uneven tasks still balance.</summary>
    private const int TasksPerThread = 4;

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
        int panels = (n + WeightPanel.Width - 1) / WeightPanel.Width;
        int panelFloats = WeightPanel.Width * k;
        int threads = parallel.MaxDegreeOfParallelism > 0 ? parallel.MaxDegreeOfParallelism : Environment.ProcessorCount;
        int panelsPerTask = Math.Clamp(PanelGroupBytes / (panelFloats * sizeof(float)), 1, Math.Max(1, panels / (TasksPerThread * threads)));
        int tasks = (panels + panelsPerTask - 1) / panelsPerTask;
        ushort* kept = weight.KeptBf16Panels(parallel);
        bool direct = kept is not null && m <= DirectBf16Rows;
        int scratchFloats = direct ? 0 : (panelsPerTask * panelFloats) + (kept is null ? WeightPanel.ScratchFloats(k) : 0);
        Parallel.For(
            0,
            tasks,
            parallel,
            () => ArrayPool<float>.Shared.Rent(scratchFloats),
            (task, _, scratch) =>
            {
                int first = task * panelsPerTask;
                int count = Math.Min(panelsPerTask, panels - first);
                if (direct)
                {
                    RunTask(x, biasRow, y, n, first, count, null, kept + ((long)first * panelFloats));
                    return scratch;
                }

                fixed (float* packed = scratch)
                {
                    if (kept is not null)
                    {
                        WeightRows.Widen(TensorDType.BF16, (byte*)(kept + ((long)first * panelFloats)), 0, count * panelFloats, new Span<float>(packed, count * panelFloats));
                    }
                    else
                    {
                        float* widenScratch = packed + ((long)panelsPerTask * panelFloats);
                        for (int g = 0; g < count; g++)
                        {
                            WeightPanel.Pack(weight, (first + g) * WeightPanel.Width, widenScratch, packed + ((long)g * panelFloats));
                        }
                    }

                    RunTask(x, biasRow, y, n, first, count, packed, null);
                }

                return scratch;
            },
            scratch => ArrayPool<float>.Shared.Return(scratch));
    }

    /// <summary>
    /// Every activation row against panels <c>[firstPanel, firstPanel + panelCount)</c>, packed at
    /// <paramref name="fp32"/> or kept at <paramref name="bf16"/> (the other null).
    /// </summary>
    private static void RunTask(CpuBuffer x, float[]? bias, CpuBuffer y, int n, int firstPanel, int panelCount, float* fp32, ushort* bf16)
    {
        int m = x.Rows, k = x.Columns;
        long panelFloats = (long)WeightPanel.Width * k;
        float* result = stackalloc float[MatMulKernel.Rows * WeightPanel.Width];
        for (int i = 0; i < m; i += MatMulKernel.Rows)
        {
            int rows = Math.Min(MatMulKernel.Rows, m - i);
            for (int g = 0; g < panelCount; g++)
            {
                int j0 = (firstPanel + g) * WeightPanel.Width;
                int columns = Math.Min(WeightPanel.Width, n - j0);
                if (bf16 is null)
                {
                    MatMulKernel.Run(x.Data + ((long)i * k), k, rows, k, fp32 + (g * panelFloats), result);
                }
                else
                {
                    MatMulKernel.Run(x.Data + ((long)i * k), k, rows, k, bf16 + (g * panelFloats), result);
                }

                for (int r = 0; r < rows; r++)
                {
                    float* output = y.Data + ((long)(i + r) * n) + j0;
                    float* sums = result + (r * WeightPanel.Width);
                    for (int c = 0; c < columns; c++)
                    {
                        output[c] = sums[c] + (bias is null ? 0f : bias[j0 + c]);
                    }
                }
            }
        }
    }
}
