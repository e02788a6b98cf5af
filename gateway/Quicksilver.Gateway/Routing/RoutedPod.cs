using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>A pod as the gateway routes it: the model's cluster and the pod's destination in it.</summary>
internal readonly record struct RoutedPod(ClusterState Cluster, DestinationState Destination)
{
    public string Address => Destination.Model.Config.Address;
}
