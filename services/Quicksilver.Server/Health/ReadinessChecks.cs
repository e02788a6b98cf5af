using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Quicksilver.Server.Apis;

namespace Quicksilver.Server.Health;

/// <summary>
/// What <c>/health/ready</c> would answer now, for <c>GET /load</c>'s <c>"ready"</c>: the same registered checks, run
/// here rather than through <see cref="HealthCheckService"/>, which logs every unhealthy result at Error — and a
/// draining pod's load is polled every half second by each gateway replica.
/// </summary>
internal static class ReadinessChecks
{
    public static async Task<bool> PassAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        HealthCheckServiceOptions options = services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value;
        foreach (HealthCheckRegistration registration in options.Registrations.Where(HealthApi.IsReadinessCheck))
        {
            HealthStatus status;
            try
            {
                HealthCheckResult result = await registration.Factory(services).CheckHealthAsync(new HealthCheckContext { Registration = registration }, cancellationToken);
                status = result.Status;
            }
#pragma warning disable CA1031 // A check that throws has failed, as HealthCheckService counts it.
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                status = registration.FailureStatus;
            }

            if (status == HealthStatus.Unhealthy)
            {
                return false;
            }
        }

        return true;
    }
}
