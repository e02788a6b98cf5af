namespace Quicksilver.Server.Telemetry;

/// <summary>
/// Where the server's traces, metrics and logs go besides <c>GET /metrics</c>, bound from
/// <c>Quicksilver:Telemetry</c> (e.g. <c>Quicksilver__Telemetry__OtlpEndpoint=http://otel-collector:4317</c>).
/// Validated at start. The standard OpenTelemetry variables (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>,
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>) work too.
/// </summary>
public sealed record TelemetryOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Quicksilver:Telemetry";

    /// <summary>The standard variable that also turns OTLP export on when <see cref="OtlpEndpoint"/> is unset.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Base address of an OTLP receiver (an OpenTelemetry Collector), absolute <c>http</c> or <c>https</c>. When set,
    /// or when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is, traces (one span per generation under the HTTP request's span),
    /// metrics and logs are exported over OTLP; otherwise only <c>GET /metrics</c> serves metrics and no trace is
    /// kept. Default: unset.
    /// </summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>
    /// OTLP transport used with <see cref="OtlpEndpoint"/>: <c>grpc</c> (port 4317 by convention) or
    /// <c>http/protobuf</c> (port 4318; the signal paths <c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c> are
    /// appended). Default: <c>grpc</c>.
    /// </summary>
    public string OtlpProtocol { get; init; } = OtlpProtocols.Grpc;
}
