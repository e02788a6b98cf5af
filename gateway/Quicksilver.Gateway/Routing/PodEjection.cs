using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Takes a pod that failed at the transport level out of rotation for <see cref="RoutingOptions.EjectionPeriod"/>
/// (YARP's passive health); the active readiness checks and the period's end bring it back. A pod held for hung
/// (<see cref="HungPodJudge"/>) stays out until it answers again. Readiness is <see cref="PodReadiness"/>'s.
/// </summary>
internal sealed class PodEjection(IDestinationHealthUpdater healthUpdater, IOptions<RoutingOptions> options)
{
    /// <summary>
    /// How long a pod held for hung stays out at most, should it never be heard from again and the gateway not notice:
    /// it comes back as soon as it answers (<see cref="Readmit"/>).
    /// </summary>
    private static readonly TimeSpan HungBackstop = TimeSpan.FromHours(1);

    public void Eject(ClusterState cluster, DestinationState destination) =>
        healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, options.Value.EjectionPeriod);

    /// <summary>Takes a pod held for hung out of rotation until it is heard from again (<see cref="Readmit"/>).</summary>
    public void EjectHung(RoutedPod pod) =>
        healthUpdater.SetPassive(pod.Cluster, pod.Destination, DestinationHealth.Unhealthy, HungBackstop);

    /// <summary>Brings back a pod that was held for hung and answers again.</summary>
    public void Readmit(RoutedPod pod) =>
        healthUpdater.SetPassive(pod.Cluster, pod.Destination, DestinationHealth.Unknown, TimeSpan.Zero);

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
