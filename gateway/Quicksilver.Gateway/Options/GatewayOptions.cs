namespace Quicksilver.Gateway.Options;

/// <summary>
/// Section <c>Gateway</c>: the models the gateway serves and where their pods are. Environment:
/// <c>Gateway__Models__quicksilver-tiny__Pods__0=http://10.0.0.7:8000</c>.
/// </summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Served models by id (the request's <c>model</c> field), each with its pods.</summary>
    public Dictionary<string, ModelPodsOptions> Models { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The shared secret sent to pods as <c>X-Quicksilver-Gateway-Key</c>; pods accept the stamped tenant only with
    /// it (pod option <c>Quicksilver:Tenancy:GatewayKey</c>). Required.
    /// </summary>
    public string? PodKey { get; init; }

    /// <summary>
    /// On SIGTERM, how long answers in flight may take to finish before their connections are cut (the host's shutdown
    /// timeout; ASP.NET Core's default of 30 s would cut long streams during a rolling update). Readiness turns 503 at
    /// once. Keep the pod's terminationGracePeriodSeconds above it.
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The port on which <c>/metrics</c> (every tenant's traffic and spend) answers, and which answers only it and the
    /// health endpoints, so that the API's port can face the internet while the metrics stay inside the cluster. The
    /// gateway must listen on it too (<c>ASPNETCORE_URLS=http://+:8080;http://+:9090</c>); it does not start otherwise.
    /// Unset: <c>/metrics</c> on every port, as for a local run.
    /// </summary>
    public int? ManagementPort { get; init; }

    /// <summary>The largest <see cref="MaxRequestBodyBytes"/> allowed: 1 GiB.</summary>
    public const long MaxRequestBodyBytesCeiling = 1L << 30;

    /// <summary>Largest request body the gateway reads to find the model, in bytes (413 above it).</summary>
    public long MaxRequestBodyBytes { get; init; } = 1024 * 1024;
}
