using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quicksilver.Server.Hosting;

namespace Quicksilver.Server.Health;

/// <summary>
/// Unhealthy once a served model's step loop has failed (<see cref="Engine.Scheduling.IGenerationEngine.Failure"/>).
/// It runs for both probes: such a pod can answer nothing but errors, so it leaves the load balancer
/// (<c>/health/ready</c>) and is restarted (<c>/health/live</c>) instead of staying up with a dead engine.
/// </summary>
internal sealed class EngineHealthCheck(ModelCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        string[] failed = [.. catalog.Models
            .Where(model => model.Engine.Failure is not null)
            .Select(model => $"the engine of {model.Id} stopped: {model.Engine.Failure!.GetType().Name}: {model.Engine.Failure.Message}")];
        return Task.FromResult(failed.Length == 0
            ? HealthCheckResult.Healthy("engine running")
            : HealthCheckResult.Unhealthy(string.Join("; ", failed)));
    }
}
