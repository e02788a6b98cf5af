using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Quicksilver.Server.Telemetry;

/// <summary>
/// The server's <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/>,
/// both named <c>Quicksilver.Server</c>. Process-wide, like the runtime's own sources: a pod serves one model, and
/// each host's metrics rules enable the meter by name (global scope).
/// </summary>
internal static class ServerDiagnostics
{
    /// <summary>The name of the activity source and of the meter (OpenTelemetry <c>AddSource</c>, the host's <c>EnableMetrics</c>).</summary>
    public const string Name = "Quicksilver.Server";

    /// <summary>The server assembly's version, the version of the source and the meter.</summary>
    public static string? Version { get; } = typeof(ServerDiagnostics).Assembly.GetName().Version?.ToString();

    public static ActivitySource ActivitySource { get; } = new(Name, Version);

    public static Meter Meter { get; } = new(Name, Version);
}
