using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Quicksilver.Server.Health;

/// <summary>Reports <see cref="ServerReadiness"/> to the <c>/health/ready</c> endpoint (Unhealthy → 503).</summary>
internal sealed class ReadinessHealthCheck(ServerReadiness readiness) : IHealthCheck
{
    /// <summary>The tag of the checks <c>/health/ready</c> runs.</summary>
    public const string Tag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(readiness.IsReady
            ? HealthCheckResult.Healthy("ready")
            : HealthCheckResult.Unhealthy($"not ready: {string.Join(", ", readiness.NotReadyReasons)}"));
}
