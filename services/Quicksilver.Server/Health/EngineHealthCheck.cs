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
        // Failure is read once per model: a stalled step that ends between two reads turns it back to null.
        string[] failed = [.. catalog.Models
            .Select(model => (model.Id, Failure: model.Engine.Failure))
            .Where(model => model.Failure is not null)
            .Select(model => $"the engine of {model.Id} stopped: {model.Failure!.GetType().Name}: {model.Failure.Message}")];
        return Task.FromResult(failed.Length == 0
            ? HealthCheckResult.Healthy("engine running")
            : HealthCheckResult.Unhealthy(string.Join("; ", failed)));
    }
}
