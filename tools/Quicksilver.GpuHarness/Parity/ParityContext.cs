using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Compute.Cuda;
using Quicksilver.GpuHarness.Json;

namespace Quicksilver.GpuHarness.Parity;

/// <summary>What one check works with: both backends, seeded inputs, temporary tensors, and the metrics it records.</summary>
internal sealed class ParityContext : IDisposable
{
    private readonly Lazy<IComputeBackend> device;

    /// <param name="seed">Seed of this check's inputs.</param>
    /// <param name="cudaOptions">How to build the CUDA backend under test.</param>
    /// <param name="modelFolder">The tiny model folder, if any.</param>
    /// <param name="dryRun">
    /// Null for the real check. Otherwise a CPU stand-in is tested instead of CUDA, to exercise the harness where there
    /// is no GPU: <c>bf16</c> rounds every activation to bf16 (to calibrate tolerances), anything else is a plain CPU backend.
    /// </param>
    public ParityContext(int seed, CudaBackendOptions cudaOptions, string? modelFolder, string? dryRun = null)
    {
        Seed = seed;
        Data = new RandomData(seed);
        ModelFolder = modelFolder;
        DryRun = dryRun is not null;
        Cpu = new CpuBackend(new CpuBackendOptions { Threads = Environment.ProcessorCount });
        device = new Lazy<IComputeBackend>(() => dryRun switch
        {
            null => new CudaBackend(cudaOptions),
            "bf16" => new Bf16EmulatingBackend(),
            _ => new CpuBackend(new CpuBackendOptions { Threads = 1 }),
        });
    }

    public bool DryRun { get; }

    public int Seed { get; }

    public RandomData Data { get; }

    public string? ModelFolder { get; }

    public CpuBackend Cpu { get; }

    /// <summary>The backend under test (CUDA; a second CPU backend in a dry run).</summary>
    public IComputeBackend Device => device.Value;

    /// <summary>The CUDA backend, or null in a dry run (checks of CUDA-only features then skip).</summary>
    public CudaBackend? Cuda => DryRun ? null : (CudaBackend)device.Value;

    public TempTensors Tensors { get; } = new();

    public List<ParityMetric> Metrics { get; } = [];

    public List<string> Notes { get; } = [];

    public bool Skipped { get; private set; }

    public void Skip(string reason)
    {
        Skipped = true;
        Notes.Add(reason);
    }

    public void Compare(string label, ReadOnlySpan<float> reference, ReadOnlySpan<float> actual, Tolerance tolerance) =>
        Metrics.Add(Comparison.Compare(label, reference, actual, tolerance));

    /// <summary>A buffer holding <paramref name="values"/> (rows of <paramref name="columns"/>).</summary>
    public static IDeviceBuffer Input(IComputeBackend backend, float[] values, int columns, BufferKind kind = BufferKind.Activation)
    {
        IDeviceBuffer buffer = backend.Allocate(values.Length / columns, columns, kind);
        backend.Upload(values, buffer);
        return buffer;
    }

    /// <summary>An output buffer; on CUDA it is poisoned with NaN first, so an element the kernel skips fails the check.</summary>
    public static IDeviceBuffer Output(IComputeBackend backend, int rows, int columns, BufferKind kind = BufferKind.Activation)
    {
        IDeviceBuffer buffer = backend.Allocate(rows, columns, kind);
        if (backend is CudaBackend gpu)
        {
            gpu.Fill(buffer, float.NaN);
        }

        return buffer;
    }

    public static float[] Download(IComputeBackend backend, IDeviceBuffer buffer)
    {
        var values = new float[(long)buffer.Rows * buffer.Columns];
        backend.Download(buffer, values);
        return values;
    }

    public void Dispose()
    {
        if (device.IsValueCreated)
        {
            device.Value.Dispose();
        }

        Cpu.Dispose();
        Tensors.Dispose();
    }
}
