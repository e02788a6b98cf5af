using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Tells which routed pods are hung, from when the <see cref="PodLoadRegistry"/> last heard from each: those silent for
/// <see cref="RoutingOptions.UnresponsivePodTimeout"/>. Two guards keep trouble on the gateway's side, or a fleet too
/// overloaded to answer its polls in time, from emptying the rotation: nothing is hung while no pod at all answered
/// within <see cref="RoutingOptions.LongestPollGap"/> (the gateway cannot reach any), and at most half of a model's
/// pods (one at least) are hung at once, the longest silent first, as Envoy's outlier detection caps its ejections.
/// </summary>
internal sealed class HungPodJudge(PodLoadRegistry registry, IOptions<RoutingOptions> options)
{
    /// <summary>
    /// The pods of <paramref name="pods"/> (every routed pod, of every model) to hold for hung now: those so held already
    /// and still silent, and the newly silent within each model's cap. Null when some are silent but no pod answered
    /// lately.
    /// </summary>
    public IReadOnlyList<RoutedPod>? Judge(IReadOnlyList<RoutedPod> pods)
    {
        RoutingOptions routing = options.Value;
        List<(RoutedPod Pod, TimeSpan Silence)> silent = pods
            .Select(pod => (Pod: pod, Silence: registry.SilenceOf(pod.Address)))
            .Where(pod => pod.Silence >= routing.UnresponsivePodTimeout)
            .ToList();
        if (silent.Count == 0)
        {
            return [];
        }

        if (!pods.Any(pod => registry.AnsweredWithin(pod.Address, routing.LongestPollGap)))
        {
            return null;
        }

        var hung = new List<RoutedPod>();
        foreach (IGrouping<ClusterState, (RoutedPod Pod, TimeSpan Silence)> model in silent.GroupBy(pod => pod.Pod.Cluster))
        {
            RoutedPod[] modelPods = [.. pods.Where(pod => pod.Cluster == model.Key)];
            int placesLeft = Math.Max(1, modelPods.Length / 2) - modelPods.Count(pod => registry.IsHung(pod.Address));
            foreach (RoutedPod pod in model.OrderByDescending(pod => pod.Silence).Select(pod => pod.Pod))
            {
                if (registry.IsHung(pod.Address) || placesLeft-- > 0)
                {
                    hung.Add(pod);
                }
            }
        }

        return hung;
    }
}
