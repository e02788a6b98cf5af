using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Passive health: a pod that refused or dropped a connection, or never connected in time, is ejected at once. One
/// failure is enough: unlike HTTP errors, a refused connection says the pod is gone, and every request sent there
/// meanwhile would cost a retry. Errors of the client's side (it went away) say nothing about the pod.
/// </summary>
internal sealed class TransportFailurePolicy(PodEjection ejection) : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "TransportFailure";

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        if (context.GetForwarderErrorFeature() is { } failure && IsPodFailure(failure))
        {
            ejection.Eject(cluster, destination);
        }
    }

    /// <summary>Whether the failure is the pod's: refused, reset, or timed out connecting.</summary>
    public static bool IsPodFailure(IForwarderErrorFeature failure) => failure.Error switch
    {
        ForwarderError.Request or ForwarderError.ResponseBodyDestination or ForwarderError.ResponseHeaders => true,
        ForwarderError.RequestTimedOut => IsConnectTimeout(failure.Exception),
        _ => false,
    };

    /// <summary>SocketsHttpHandler reports its ConnectTimeout as a cancellation caused by a <see cref="TimeoutException"/>.</summary>
    public static bool IsConnectTimeout(Exception? exception)
    {
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is TimeoutException)
            {
                return true;
            }
        }

        return false;
    }
}
