using Quicksilver.Gateway.Tenancy;

namespace Quicksilver.Gateway.Apis;

/// <summary>
/// <c>/health/live</c> (the process answers) and <c>/health/ready</c> (tenants loaded, not shutting down), the latter
/// also as <c>/health</c>, vLLM's name for it. Readiness does not follow the pods: a gateway with no pod left still
/// answers 503s in OpenAI's shape, which beats no answer.
/// </summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => TypedResults.Text("live"));
        app.MapGet("/health/ready", Readiness);
        app.MapGet("/health", Readiness);
        return app;
    }

    private static IResult Readiness(TenantDirectory tenants, IHostApplicationLifetime lifetime) =>
        tenants.IsLoaded && !lifetime.ApplicationStopping.IsCancellationRequested
            ? Results.Text("ready")
            : Results.Text("not ready", statusCode: StatusCodes.Status503ServiceUnavailable);
}
