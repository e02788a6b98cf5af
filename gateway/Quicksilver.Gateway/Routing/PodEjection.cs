using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Takes a pod that failed at the transport level out of rotation for <see cref="RoutingOptions.EjectionPeriod"/>
/// (YARP's passive health); the active readiness checks and the period's end bring it back.
/// </summary>
internal sealed class PodEjection(IDestinationHealthUpdater healthUpdater, IOptions<RoutingOptions> options)
{
    public void Eject(ClusterState cluster, DestinationState destination) =>
        healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, options.Value.EjectionPeriod);

    /// <summary>Ejects the pod the request was sent to, if any.</summary>
    public void EjectProxiedPod(HttpContext context)
    {
        IReverseProxyFeature? proxy = context.Features.Get<IReverseProxyFeature>();
        if (proxy is { ProxiedDestination: { } destination, Route.Cluster: { } cluster })
        {
            Eject(cluster, destination);
        }
    }
}
