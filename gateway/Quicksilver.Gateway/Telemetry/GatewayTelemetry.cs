using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Quicksilver.Gateway.Telemetry;

/// <summary>
/// OpenTelemetry in the gateway: the <c>Quicksilver.Gateway</c> meter, ASP.NET Core, HttpClient and runtime metrics on
/// <c>GET /metrics</c> (Prometheus); with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, also traces (incoming requests and
/// the forwarded calls, which carry W3C trace context to the pods), metrics and logs over OTLP.
/// </summary>
internal static class GatewayTelemetry
{
    public const string ServiceName = "quicksilver-gateway";

    public static void AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        // The gateway's meter comes from this host's IMeterFactory; enabling it for that scope alone keeps the exporter
        // off other hosts' meters of the same name in the process (OpenTelemetry's AddMeter matches by name, and a
        // series shared with another host's instrument is dropped when that host stops).
        builder.Metrics.EnableMetrics(GatewayMetrics.MeterName, scopes: MeterScope.Local);
        IOpenTelemetryBuilder telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName).AddEnvironmentVariableDetector())
            .WithMetrics(metrics => metrics
                .AddMeter("System.Net.Http")
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry
                .WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
                    .AddSource("System.Net.Http"))
                .WithLogging(configureBuilder: null, configureOptions: logging => logging.IncludeScopes = true)
                .UseOtlpExporter();
        }
    }

    public static void MapGatewayMetrics(this WebApplication app) =>
        app.MapPrometheusScrapingEndpoint("/metrics").DisableHttpMetrics();
}
