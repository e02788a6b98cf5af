using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quicksilver.Server.Health;

namespace Quicksilver.Server.Apis;

/// <summary>
/// Kubernetes probes: <c>GET /health/live</c> (200 while the process runs and its engine's step loop has neither failed
/// nor stalled) and <c>GET /health/ready</c> (200 once the model is loaded, its engine runs and nothing holds readiness
/// down), 503 otherwise, with the reasons in the body. <c>GET /health</c> is <c>/health/ready</c> under the name vLLM
/// serves it, so scripts that wait for a vLLM server to come up work unchanged.
/// </summary>
internal static class HealthApi
{
    /// <summary>The tag of the checks <c>/health/live</c> runs.</summary>
    public const string LiveTag = "live";

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = IsLivenessCheck, ResponseWriter = WriteReportAsync })
            .DisableHttpMetrics();
        var readiness = new HealthCheckOptions { Predicate = IsReadinessCheck, ResponseWriter = WriteReportAsync };
        app.MapHealthChecks("/health/ready", readiness).DisableHttpMetrics();
        app.MapHealthChecks("/health", readiness).DisableHttpMetrics();
        return app;
    }

    private static bool IsLivenessCheck(HealthCheckRegistration registration) => registration.Tags.Contains(LiveTag);

    /// <summary>The checks <c>/health/ready</c> runs (and <c>/load</c> reports as <c>ready</c>).</summary>
    public static bool IsReadinessCheck(HealthCheckRegistration registration) => registration.Tags.Contains(ReadinessHealthCheck.Tag);

    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        IEnumerable<string> details = report.Entries.Values
            .Select(entry => entry.Description)
            .OfType<string>();
        return context.Response.WriteAsync($"{report.Status}: {string.Join("; ", details)}\n", context.RequestAborted);
    }
}
