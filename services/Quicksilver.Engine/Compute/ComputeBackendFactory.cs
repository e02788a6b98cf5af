using Microsoft.Extensions.Logging;
using Quicksilver.Engine.Compute.Cpu;

namespace Quicksilver.Engine.Compute;

/// <summary>Chooses the compute backend at start from <see cref="EngineOptions.Backend"/>.</summary>
public static class ComputeBackendFactory
{
    /// <summary>Creates the backend the options ask for, and logs which one and why.</summary>
    public static IComputeBackend Create(EngineOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (options.Backend.ToLowerInvariant())
        {
            case "auto":
            case "cpu":
                var cpu = new CpuBackend(new CpuBackendOptions { Threads = options.Threads, WidenWeightsToFp32 = options.WidenWeightsToFp32 });
                logger.LogInformation("Compute backend: {Backend} ({Reason})", cpu.Description, options.Backend == "cpu" ? "configured" : "no CUDA backend in this build");
                return cpu;
            default:
                throw new ArgumentException($"Unknown backend '{options.Backend}' (expected auto, cuda or cpu).", nameof(options));
        }
    }
}
