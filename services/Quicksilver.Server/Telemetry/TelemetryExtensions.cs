using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Quicksilver.Engine.Metering;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Apis;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Telemetry;

/// <summary>
/// OpenTelemetry in the pod: metrics of the meters <c>Quicksilver.Engine</c>, <c>Quicksilver.Metering</c> and
/// <c>Quicksilver.Server</c>, ASP.NET Core and the runtime, scraped on <c>GET /metrics</c> (Prometheus text); with an
/// OTLP endpoint configured, also traces (ASP.NET Core plus one <c>{operation} {model}</c> span per generation),
/// metrics and logs over OTLP.
/// </summary>
internal static class TelemetryExtensions
{
    /// <summary>The Prometheus scrape path.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The <c>service.name</c> of the resource, unless <c>OTEL_SERVICE_NAME</c> says otherwise.</summary>
    public const string ServiceName = "quicksilver-server";

    public static void AddQuicksilverTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        services.AddSingleton<BatchUsageGauge>();
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, LoadJsonContext.Default));

        // Enabled through the host's metrics rules rather than OpenTelemetry's AddMeter (which matches by name alone):
        // the default scopes take the process-wide meters and this host's own (its IMeterFactory creates the engine's
        // and the billing meters) but not another host's in the process, whose series a shared stream would lose when
        // that host stops.
        builder.Metrics.EnableMetrics(ServerDiagnostics.Name);
        builder.Metrics.EnableMetrics(EngineMetrics.MeterName);
        builder.Metrics.EnableMetrics(MeteringMetrics.MeterName);
        IOpenTelemetryBuilder telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(ServiceName, serviceVersion: ServerDiagnostics.Version)
                .AddEnvironmentVariableDetector())
            .WithMetrics(metrics => metrics
                .AddInstrumentation(provider => provider.GetRequiredService<BatchUsageGauge>())
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddView(EngineHistogramView)
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));

        // Decided here, from what the builder's configuration holds (appsettings, environment, command line): without
        // an endpoint no exporter, and no tracer provider either, is registered. A malformed endpoint registers
        // nothing and fails validation at start.
        TelemetryOptions options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new();
        Uri? endpoint = null;
        OtlpExportProtocol protocol = OtlpExportProtocol.Grpc;
        if (options.OtlpEndpoint is { } configured)
        {
            if (ParseOtlpEndpoint(configured) is not { } address || OtlpProtocols.Parse(options.OtlpProtocol) is not { } transport)
            {
                return;
            }

            (endpoint, protocol) = (address, transport);
        }
        else if (string.IsNullOrWhiteSpace(builder.Configuration[TelemetryOptions.OtlpEndpointVariable]))
        {
            return;
        }

        telemetry
            .WithTracing(tracing => tracing
                .AddSource(ServerDiagnostics.Name)
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = IsTraced))
            .WithLogging(configureBuilder: null, configureOptions: logging => logging.IncludeScopes = true);
        if (endpoint is not null)
        {
            telemetry.UseOtlpExporter(protocol, endpoint);
        }
        else
        {
            // Reads OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_HEADERS … itself.
            telemetry.UseOtlpExporter();
        }
    }

    /// <summary>Maps <c>GET /metrics</c> (Prometheus) and <c>GET /load</c>; neither is traced nor counted in HTTP metrics.</summary>
    public static void MapQuicksilverTelemetry(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPrometheusScrapingEndpoint(MetricsPath)
            .DisableHttpMetrics()
            .ExcludeFromDescription();
        app.MapLoadApi();
    }

    /// <summary>An absolute http(s) address, or null.</summary>
    internal static Uri? ParseOtlpEndpoint(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : null;

    /// <summary>Probes, scrapes and load polls make no traces.</summary>
    internal static bool IsTraced(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        && !context.Request.Path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase)
        && !context.Request.Path.StartsWithSegments(LoadApi.Path, StringComparison.OrdinalIgnoreCase);

    // The engine's histograms are created without advice; seconds and counts need their own buckets.
    private static MetricStreamConfiguration? EngineHistogramView(System.Diagnostics.Metrics.Instrument instrument) =>
        instrument.Meter.Name != EngineMetrics.MeterName ? null : instrument.Name switch
        {
            "quicksilver.engine.step.duration" => new ExplicitBucketHistogramConfiguration { Boundaries = [.. HistogramBuckets.StepDuration] },
            "quicksilver.engine.batch.size" => new ExplicitBucketHistogramConfiguration { Boundaries = [.. HistogramBuckets.BatchSize] },
            "quicksilver.engine.tokens_per_step" => new ExplicitBucketHistogramConfiguration { Boundaries = [.. HistogramBuckets.TokensPerStep] },
            _ => null,
        };
}
