using OpenTelemetry.Exporter;

namespace Quicksilver.Server.Telemetry;

/// <summary>The values of <see cref="TelemetryOptions.OtlpProtocol"/>, named as <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> names them.</summary>
internal static class OtlpProtocols
{
    public const string Grpc = "grpc";
    public const string HttpProtobuf = "http/protobuf";

    public static IReadOnlyList<string> All { get; } = [Grpc, HttpProtobuf];

    /// <summary>The exporter's protocol for a configured name; null for an unknown one.</summary>
    public static OtlpExportProtocol? Parse(string? name) => name switch
    {
        Grpc => OtlpExportProtocol.Grpc,
        HttpProtobuf => OtlpExportProtocol.HttpProtobuf,
        _ => null,
    };
}
