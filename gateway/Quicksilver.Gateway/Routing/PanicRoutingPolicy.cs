using System.Collections.Concurrent;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Which pods of a model may take requests: those that pass the readiness probe (or have not been probed yet) and are
/// not ejected for a transport failure. When the probe fails every pod not ejected — probes that time out on CPU-bound
/// pods under full load, or a gateway that cannot reach the probe path — the gateway does not fail closed: it routes to
/// every pod not ejected (Envoy's panic routing). A pod that is really not ready answers its own 503, and the request
/// moves on as from any refusal; a pod that is gone fails at connect and is ejected. Entering and leaving panic is
/// logged once per model.
/// </summary>
internal sealed partial class PanicRoutingPolicy(ILogger<PanicRoutingPolicy> logger) : IAvailableDestinationsPolicy
{
    public const string PolicyName = "QuicksilverPanic";

    private readonly ConcurrentDictionary<string, bool> _panicking = new(StringComparer.Ordinal);

    public string Name => PolicyName;

    public IReadOnlyList<DestinationState> GetAvailalableDestinations(ClusterConfig config, IReadOnlyList<DestinationState> allDestinations)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(allDestinations);
        List<DestinationState> notEjected = [.. allDestinations.Where(d => d.Health.Passive != DestinationHealth.Unhealthy)];
        List<DestinationState> ready = [.. notEjected.Where(d => d.Health.Active != DestinationHealth.Unhealthy)];
        bool panic = ready.Count == 0 && notEjected.Count > 0;
        if (_panicking.TryGetValue(config.ClusterId, out bool was) ? was != panic : panic)
        {
            _panicking[config.ClusterId] = panic;
            if (panic)
            {
                LogPanic(config.ClusterId, notEjected.Count);
            }
            else
            {
                LogCalm(config.ClusterId);
            }
        }

        return panic ? notEjected : ready;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Every pod of {Cluster} fails its readiness probe: routing to all {Pods} pods not ejected until one passes again (panic routing).")]
    private partial void LogPanic(string cluster, int pods);

    [LoggerMessage(Level = LogLevel.Information, Message = "A pod of {Cluster} passes its readiness probe again: panic routing over.")]
    private partial void LogCalm(string cluster);
}
