using Microsoft.AspNetCore.Http;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Tests.Infrastructure;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Tests.Routing;

public sealed class LoadAwareBalancingPolicyTests
{
    private static readonly DestinationState[] Pods = [Pod("http://a:8000"), Pod("http://b:8000"), Pod("http://c:8000")];

    [Fact]
    public void Pick_PodWithLongQueue_IsNeverPreferredOverAnIdleOne()
    {
        var registry = new PodLoadRegistry(new ManualTime());
        registry.Report("http://a:8000", new PodLoad(Waiting: 40, Running: 8, TokensInFlight: 4000, Draining: false));
        registry.Report("http://b:8000", new PodLoad(0, 1, 100, false));
        registry.Report("http://c:8000", new PodLoad(0, 1, 100, false));
        var policy = new LoadAwareBalancingPolicy(registry);

        Dictionary<string, int> picks = PickMany(policy, 40);

        // Power of two choices: the loaded pod (score 48) wins only against a pod more loaded. Each pick raises the
        // chosen pod's score until the next report, so 40 picks leave B and C near 21 each and neither above 41: still
        // below A, whatever the random pairs. (With A at 28, B reached 29 in about 1 run in 400,000.) The range is wide
        // enough to miss by chance about once in 30 million runs.
        Assert.False(picks.ContainsKey("http://a:8000"), $"A was picked {picks.GetValueOrDefault("http://a:8000")} times");
        Assert.InRange(picks["http://b:8000"], 10, 30);
    }

    [Fact]
    public void Pick_CountsRequestsSentSinceTheLastReport()
    {
        var registry = new PodLoadRegistry(new ManualTime());
        foreach (DestinationState pod in Pods)
        {
            registry.Report(pod.Model.Config.Address, new PodLoad(0, 0, 0, false));
        }

        var policy = new LoadAwareBalancingPolicy(registry);
        Dictionary<string, int> picks = PickMany(policy, 300);

        // No report arrives in between: only the gateway's own count spreads the load, evenly.
        Assert.All(picks.Values, count => Assert.InRange(count, 90, 110));
    }

    [Fact]
    public void Pick_DrainingPod_IsPassedOverWhileAnotherIsAvailable()
    {
        var registry = new PodLoadRegistry(new ManualTime());
        registry.Report("http://a:8000", new PodLoad(0, 0, 0, Draining: true));
        registry.Report("http://b:8000", new PodLoad(50, 8, 9000, false));
        var policy = new LoadAwareBalancingPolicy(registry);
        var context = new DefaultHttpContext();

        for (int i = 0; i < 50; i++)
        {
            Assert.Equal("http://b:8000", policy.PickDestination(context, Cluster, [Pods[0], Pods[1]])!.Model.Config.Address);
        }

        Assert.Equal("http://a:8000", policy.PickDestination(context, Cluster, [Pods[0]])!.Model.Config.Address);
        Assert.Null(policy.PickDestination(context, Cluster, []));
    }

    private static ClusterState Cluster { get; } = new("model:m");

    private static Dictionary<string, int> PickMany(LoadAwareBalancingPolicy policy, int count)
    {
        var picks = new Dictionary<string, int>();
        var context = new DefaultHttpContext();
        for (int i = 0; i < count; i++)
        {
            string address = policy.PickDestination(context, Cluster, Pods)!.Model.Config.Address;
            picks[address] = picks.GetValueOrDefault(address) + 1;
        }

        return picks;
    }

    private static DestinationState Pod(string address) => new(address, new DestinationModel(new DestinationConfig { Address = address }));
}
