using Microsoft.Extensions.Logging;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Compute.Cuda;

namespace Quicksilver.Engine.Compute;

/// <summary>
/// Chooses the compute backend at start from <see cref="EngineOptions.Backend"/>: <c>cuda</c> requires a usable CUDA
/// device and fails loudly with the reason; <c>cpu</c> always uses the CPU; <c>auto</c> uses CUDA when the driver
/// loads and a device exists, and the CPU otherwise (also, with a warning, when a device exists but the CUDA backend
/// cannot start).
/// </summary>
public static class ComputeBackendFactory
{
    /// <summary>Creates the backend the options ask for, and logs which one and why.</summary>
    public static IComputeBackend Create(EngineOptions options, ILogger logger) => Create(options, logger, null);

    /// <summary>As <see cref="Create(EngineOptions, ILogger)"/>, with settings for the CUDA backend.</summary>
    public static IComputeBackend Create(EngineOptions options, ILogger logger, CudaBackendOptions? cuda)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ComputeBackendSelection selection = Select(options, cuda, message => logger.LogWarning("{Message}", message));
        logger.LogInformation("Compute backend: {Reason}", selection.Reason);
        return selection.Backend;
    }

    /// <summary>
    /// Chooses and creates the backend. <paramref name="warn"/> receives problems that did not stop the choice (a
    /// CUDA device that failed to start under <c>auto</c>).
    /// </summary>
    public static ComputeBackendSelection Select(EngineOptions options, CudaBackendOptions? cuda = null, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        string requested = (options.Backend ?? "auto").Trim().ToLowerInvariant();
        switch (requested)
        {
            case "cpu":
                return Cpu(options, "configured");
            case "cuda":
            {
                if (!CudaProbe.TryDetect(cuda?.DeviceOrdinal ?? 0, out _, out string reason))
                {
                    throw new CudaException($"Backend 'cuda' was configured but no CUDA device can be used: {reason}");
                }

                var backend = new CudaBackend(cuda);
                return new ComputeBackendSelection(backend, $"cuda: {backend.Description} (configured)");
            }

            case "auto":
            {
                if (!CudaProbe.TryDetect(cuda?.DeviceOrdinal ?? 0, out _, out string reason))
                {
                    return Cpu(options, $"auto: no CUDA device ({reason})");
                }

                try
                {
                    var backend = new CudaBackend(cuda);
                    return new ComputeBackendSelection(backend, $"cuda: {backend.Description} (auto: CUDA device found)");
                }
                catch (Exception e) when (e is CudaException or DllNotFoundException or EntryPointNotFoundException)
                {
                    string message = $"auto: a CUDA device was found but the CUDA backend could not start ({e.Message}); falling back to the CPU";
                    warn?.Invoke(message);
                    return Cpu(options, message);
                }
            }

            default:
                throw new ArgumentException($"Unknown backend '{options.Backend}' (expected auto, cuda or cpu).", nameof(options));
        }
    }

    private static ComputeBackendSelection Cpu(EngineOptions options, string why)
    {
        var cpu = new CpuBackend(new CpuBackendOptions { Threads = options.Threads, WidenWeightsToFp32 = options.WidenWeightsToFp32 });
        return new ComputeBackendSelection(cpu, $"cpu: {cpu.Description} ({why})");
    }
}
