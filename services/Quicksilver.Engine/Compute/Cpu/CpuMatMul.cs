using System.Buffers;

namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// <c>y = x · Wᵀ (+ b)</c> with W stored <c>[N, K]</c> (PyTorch's Linear layout), blocked for the cache: work is
/// split over groups of <see cref="WeightPanel"/>s (sixteen weight rows each, widened to fp32 and packed k-major
/// once per call) that together fit L2; each task sweeps every activation row, six at a time, through
/// <see cref="MatMulKernel"/> against each of its panels, so a group of six rows stays in L1 while the panels stream
/// from L2, and the activations are read from memory once per group rather than once per panel. Every output is the
/// same in-order fused multiply-add chain over k whatever the batch, so a sequence's result never depends on what
/// else is in it.
/// </summary>
internal static unsafe class CpuMatMul
{
    /// <summary>Panel bytes one task keeps resident: half of a 512 KiB L2, the rest for activations and outputs.</summary>
    private const int PanelGroupBytes = 256 * 1024;

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
        int scratchFloats = (panelsPerTask * panelFloats) + WeightPanel.ScratchFloats(k);
        Parallel.For(
            0,
            tasks,
            parallel,
            () => ArrayPool<float>.Shared.Rent(scratchFloats),
            (task, _, scratch) =>
            {
                int first = task * panelsPerTask;
                fixed (float* packed = scratch)
                {
                    RunTask(x, weight, biasRow, y, first, Math.Min(panelsPerTask, panels - first), packed, packed + ((long)panelsPerTask * panelFloats));
                }

                return scratch;
            },
            scratch => ArrayPool<float>.Shared.Return(scratch));
    }

    private static void RunTask(CpuBuffer x, CpuWeight weight, float[]? bias, CpuBuffer y, int firstPanel, int panelCount, float* packed, float* widenScratch)
    {
        int m = x.Rows, k = x.Columns, n = weight.Rows;
        long panelFloats = (long)WeightPanel.Width * k;
        for (int g = 0; g < panelCount; g++)
        {
            WeightPanel.Pack(weight, (firstPanel + g) * WeightPanel.Width, widenScratch, packed + (g * panelFloats));
        }

        float* result = stackalloc float[MatMulKernel.Rows * WeightPanel.Width];
        for (int i = 0; i < m; i += MatMulKernel.Rows)
        {
            int rows = Math.Min(MatMulKernel.Rows, m - i);
            for (int g = 0; g < panelCount; g++)
            {
                int j0 = (firstPanel + g) * WeightPanel.Width;
                int columns = Math.Min(WeightPanel.Width, n - j0);
                MatMulKernel.Run(x.Data + ((long)i * k), k, rows, k, packed + (g * panelFloats), result);
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
