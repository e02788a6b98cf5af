using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <content>Device-side weight initialisation, fills, weight read-back and event timing (benchmarks and checks).</content>
public sealed partial class CudaBackend
{
    /// <summary>
    /// Creates a weight filled on the device with <c>scale · u</c>, <c>u</c> uniform on [−1, 1) from
    /// <see cref="CounterRng.Hash"/>(seed, 0, element index) — no host data crosses PCIe (16 GB for an 8B model).
    /// As with <see cref="LoadWeight"/>, one-row weights are fp32 and the rest bf16.
    /// </summary>
    public IWeight CreateRandomWeight(string name, int rows, int cols, ulong seed, float scale) =>
        CreateRandomWeight(name, rows, cols, seed, scale, 0f);

    /// <summary>
    /// As <see cref="CreateRandomWeight(string, int, int, ulong, float)"/>, with values <c>offset + scale · u</c>
    /// (norm scales near 1: offset 1, small scale). Element i is
    /// <c>bf16(offset + scale · ((Hash(seed, 0, i) &gt;&gt; 40) · 2⁻²³ − 1))</c>, products and sums unfused in fp32.
    /// </summary>
    public IWeight CreateRandomWeight(string name, int rows, int cols, ulong seed, float scale, float offset)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        MakeCurrent();
        CudaElementType type = rows == 1 ? CudaElementType.Float32 : CudaElementType.BFloat16;
        long count = (long)rows * cols;
        CudaDeviceMemoryHandle memory = CudaDeviceMemoryHandle.Allocate(count * (type == CudaElementType.BFloat16 ? 2 : 4), Ctx);
        try
        {
            Launch(
                type == CudaElementType.BFloat16 ? KernelCatalog.InitUniformBf16 : KernelCatalog.InitUniformF32,
                Dim3.Blocks(count, ElementwiseBlock, Device.MultiprocessorCount * 32L),
                new Dim3(ElementwiseBlock),
                0,
                [memory.Pointer, count, seed, scale, offset]);
        }
        catch
        {
            memory.Dispose();
            throw;
        }

        return new CudaWeight(name, memory, rows, cols, type);
    }

    /// <summary>Copies a weight to the host as fp32 (bf16 widened exactly).</summary>
    public void DownloadWeight(IWeight weight, Span<float> destination)
    {
        CudaWeight w = AsWeight(weight, nameof(weight));
        if (destination.Length < w.ElementCount)
        {
            throw new ArgumentException($"Weight '{w.Name}' has {w.ElementCount} values; the span holds {destination.Length}.", nameof(destination));
        }

        MakeCurrent();
        DownloadElements(w.Pointer, w.ElementCount, w.ElementType, destination);
    }

    /// <summary>
    /// Sets every element of the buffer's whole capacity to <paramref name="value"/> (rounded to bf16 for bf16
    /// buffers) — e.g. NaN, to prove later that a kernel wrote every element. Rows in use are unchanged.
    /// </summary>
    public void Fill(IDeviceBuffer buffer, float value)
    {
        CudaBuffer b = AsBuffer(buffer, nameof(buffer));
        MakeCurrent();
        uint word;
        if (b.ElementType == CudaElementType.BFloat16)
        {
            uint half = BFloat16.FromSingle(value);
            word = half | (half << 16);
        }
        else
        {
            word = BitConverter.SingleToUInt32Bits(value);
        }

        long words = (b.CapacityBytes + 3) / 4;
        if (words == 0)
        {
            return;
        }

        Launch(KernelCatalog.FillU32, Dim3.Blocks(words, ElementwiseBlock, Device.MultiprocessorCount * 32L), new Dim3(ElementwiseBlock), 0, [b.Pointer, words, word]);
    }

    /// <summary>
    /// Kernels and cuBLAS products this backend has queued since it was created (a cuBLAS product may run as more
    /// than one kernel): the difference across a step is its launch count.
    /// </summary>
    public long Launches { get; private set; }

    /// <summary>
    /// Runs <paramref name="work"/> (which queues device work on this backend) between two CUDA events and returns
    /// the device time in milliseconds; waits for completion.
    /// </summary>
    public double TimeMilliseconds(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        MakeCurrent();
        CudaCheck.Driver(CudaDriverApi.cuEventRecord(timerStart, stream), nameof(CudaDriverApi.cuEventRecord));
        work();
        MakeCurrent();
        CudaCheck.Driver(CudaDriverApi.cuEventRecord(timerStop, stream), nameof(CudaDriverApi.cuEventRecord));
        CudaCheck.Driver(CudaDriverApi.cuEventSynchronize(timerStop), nameof(CudaDriverApi.cuEventSynchronize), "waiting for timed work (a kernel in it may have failed)");
        CudaCheck.Driver(CudaDriverApi.cuEventElapsedTime(out float ms, timerStart, timerStop), nameof(CudaDriverApi.cuEventElapsedTime));
        return ms;
    }

    /// <summary>
    /// Runs <paramref name="work"/> as the profiled range of a profiler started with profiling off at first
    /// (<c>ncu --profile-from-start off</c>): <c>cuProfilerStart</c> before, and after the work has finished,
    /// <c>cuProfilerStop</c>. Without a profiler attached the two calls do nothing.
    /// </summary>
    public void Profiled(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        MakeCurrent();
        CudaCheck.Driver(CudaDriverApi.cuProfilerStart(), nameof(CudaDriverApi.cuProfilerStart));
        try
        {
            work();
            Synchronize();
        }
        finally
        {
            CudaCheck.Driver(CudaDriverApi.cuProfilerStop(), nameof(CudaDriverApi.cuProfilerStop));
        }
    }

    /// <summary>
    /// The measured bf16 GEMM rate: <paramref name="iterations"/> cuBLAS <c>GemmEx</c> products of n×n×n (bf16 in and
    /// out, fp32 accumulation) on random data after two warm-ups, timed with events; returns the median TFLOP/s of
    /// the individual products.
    /// </summary>
    public double MeasureGemmTflops(int n, int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        using IWeight a = CreateRandomWeight("gemm.a", n, n, 1, 1f);
        using IWeight b = CreateRandomWeight("gemm.b", n, n, 2, 1f);
        using IWeight c = CreateRandomWeight("gemm.c", n, n, 3, 0f);
        ulong pa = ((CudaWeight)a).Pointer;
        ulong pb = ((CudaWeight)b).Pointer;
        ulong pc = ((CudaWeight)c).Pointer;
        for (int i = 0; i < 2; i++)
        {
            blas.GemmColumnMajor(n, n, n, pa, pb, pc);
        }

        Synchronize();
        var times = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            times[i] = TimeMilliseconds(() => blas.GemmColumnMajor(n, n, n, pa, pb, pc));
        }

        Array.Sort(times);
        double median = times[iterations / 2];
        return 2.0 * n * n * (double)n / (median * 1e-3) / 1e12;
    }
}
