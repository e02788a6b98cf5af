using System.Net;
using Quicksilver.Gateway.Options;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Tests.Infrastructure;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Tests.Routing;

/// <summary>
/// A pod's readiness from its readiness checks (two failures in a row take it out, one pass brings it back) and from
/// its load polls' <c>"ready"</c>, which move it at once and reset the checks' count as a pass does.
/// </summary>
public sealed class PodReadinessTests
{
    private readonly HealthUpdates _health = new();
    private readonly PodReadiness _readiness;
    private readonly RoutedPod _pod;

    public PodReadinessTests()
    {
        _readiness = new PodReadiness(_health, new StaticOptionsMonitor<RoutingOptions>(new RoutingOptions { UnhealthyThreshold = 2 }));
        var cluster = new ClusterState("model:m");
        _pod = new RoutedPod(cluster, new DestinationState("http://a:8000", new DestinationModel(new DestinationConfig { Address = "http://a:8000" })));
    }

    private DestinationHealth Active => _pod.Destination.Health.Active;

    [Fact]
    public void Checks_TwoFailuresInARowTakeThePodOut_OnePassBringsItBack()
    {
        Check(passed: false);
        Assert.Equal(DestinationHealth.Unknown, Active);
        Check(passed: false);
        Assert.Equal(DestinationHealth.Unhealthy, Active);
        Check(passed: true);
        Assert.Equal(DestinationHealth.Healthy, Active);
        Check(passed: false);
        Assert.Equal(DestinationHealth.Healthy, Active);
    }

    [Fact]
    public void PollSaysReady_BringsThePodBack_AndItsFailuresAreForgotten()
    {
        Check(passed: false);
        Check(passed: false);

        Assert.True(_readiness.Follow(_pod, ready: true));
        Assert.Equal(DestinationHealth.Healthy, Active);
        Check(passed: false);
        Assert.Equal(DestinationHealth.Healthy, Active); // one timed-out check after the poll costs nothing
        Check(passed: false);
        Assert.Equal(DestinationHealth.Unhealthy, Active);
    }

    [Fact]
    public void PollSaysNotReady_TakesThePodOutAtOnce_UntilACheckPassesOrAPollSaysReady()
    {
        Check(passed: true);

        Assert.True(_readiness.Follow(_pod, ready: false));
        Assert.Equal(DestinationHealth.Unhealthy, Active);
        Assert.False(_readiness.Follow(_pod, ready: false));
        Check(passed: false);
        Assert.Equal(DestinationHealth.Unhealthy, Active);
        Check(passed: true);
        Assert.Equal(DestinationHealth.Healthy, Active);
        _readiness.Follow(_pod, ready: false);
        Assert.True(_readiness.Follow(_pod, ready: true));
        Assert.Equal(DestinationHealth.Healthy, Active);
    }

    [Fact]
    public void PollSaysReady_ForAPodNotYetChecked_LeavesItAsItIs()
    {
        Assert.False(_readiness.Follow(_pod, ready: true));
        Assert.Equal(DestinationHealth.Unknown, Active);
        Assert.Equal(0, _health.Updates);
    }

    private void Check(bool passed)
    {
        using var response = new HttpResponseMessage(passed ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable);
        _readiness.ProbingCompleted(_pod.Cluster, [new DestinationProbingResult(_pod.Destination, response, exception: null)]);
    }

    /// <summary>Applies active health as YARP's updater does; passive health is not this class's.</summary>
    private sealed class HealthUpdates : IDestinationHealthUpdater
    {
        public int Updates { get; private set; }

        public void SetActive(ClusterState cluster, IEnumerable<NewActiveDestinationHealth> newHealthStates)
        {
            foreach (NewActiveDestinationHealth state in newHealthStates)
            {
                state.Destination.Health.Active = state.NewActiveHealth;
            }

            Updates++;
        }

        public void SetPassive(ClusterState cluster, DestinationState destination, DestinationHealth newHealth, TimeSpan reactivationPeriod) =>
            throw new NotSupportedException();
    }
}
