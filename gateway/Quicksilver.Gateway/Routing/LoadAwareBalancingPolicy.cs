using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Power of two choices over the pods' own load (<see cref="PodLoadRegistry"/>): two distinct pods at random, the
/// less loaded one wins. Scoring by what the pods report — their queue and batch, fed by every gateway replica — rather
/// than by this replica's in-flight count sees load the other replicas and direct callers put there; sampling two at
/// random rather than taking the global minimum keeps replicas that share the same stale view from herding onto one
/// pod. A draining pod is passed over while any other is available.
/// </summary>
internal sealed class LoadAwareBalancingPolicy(PodLoadRegistry registry) : ILoadBalancingPolicy
{
    public const string PolicyName = "QuicksilverLoad";

    public string Name => PolicyName;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        IReadOnlyList<DestinationState> candidates = availableDestinations;
        if (candidates.Count > 1 && candidates.Any(d => !IsDraining(d)))
        {
            candidates = [.. candidates.Where(d => !IsDraining(d))];
        }

        DestinationState? picked = candidates.Count switch
        {
            0 => null,
            1 => candidates[0],
            _ => Better(TwoAtRandom(candidates)),
        };
        if (picked is not null)
        {
            registry.Sent(picked.Model.Config.Address);
        }

        return picked;
    }

    private bool IsDraining(DestinationState destination) => registry.Score(destination.Model.Config.Address).Draining;

    private static (DestinationState, DestinationState) TwoAtRandom(IReadOnlyList<DestinationState> candidates)
    {
        int first = Random.Shared.Next(candidates.Count);
        int second = Random.Shared.Next(candidates.Count - 1);
        return (candidates[first], candidates[second >= first ? second + 1 : second]);
    }

    private DestinationState Better((DestinationState First, DestinationState Second) pair)
    {
        var first = registry.Score(pair.First.Model.Config.Address);
        var second = registry.Score(pair.Second.Model.Config.Address);
        return (first.Requests, first.Tokens).CompareTo((second.Requests, second.Tokens)) <= 0 ? pair.First : pair.Second;
    }
}
