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
/// its load polls' <c>"ready"</c>, which move it at once and reset the checks' count as a pass does; checks are left
/// aside while the polls speak (within the probe timeout, 2 s, of the last), on a clock that moves only when told to.
/// </summary>
public sealed class PodReadinessTests
{
    private static readonly TimeSpan PastTheProbeTimeout = new RoutingOptions().ProbeTimeout + TimeSpan.FromTicks(1);
    private readonly HealthUpdates _health = new();
    private readonly ManualTime _time = new();
    private readonly PodReadiness _readiness;
    private readonly RoutedPod _pod;

    public PodReadinessTests()
    {
        _readiness = new PodReadiness(_health, new StaticOptionsMonitor<RoutingOptions>(new RoutingOptions { UnhealthyThreshold = 2 }), _time);
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
        _time.Advance(PastTheProbeTimeout);
        Check(passed: false);
        Assert.Equal(DestinationHealth.Healthy, Active); // one timed-out check after the poll costs nothing
        Check(passed: false);
        Assert.Equal(DestinationHealth.Unhealthy, Active);
    }

    [Fact]
    public void ChecksWhileThePollsSpeak_AreLeftAside_AndCountAgainOnceTheyFallSilent()
    {
        _readiness.Follow(_pod, ready: true);
        _time.Advance(PastTheProbeTimeout - TimeSpan.FromTicks(1));
        Check(passed: false);
        Check(passed: false);
        Assert.Equal(DestinationHealth.Healthy, Active); // the checks may be older than the poll

        _readiness.Follow(_pod, ready: false);
        Check(passed: true);
        Assert.Equal(DestinationHealth.Unhealthy, Active);

        _time.Advance(PastTheProbeTimeout);
        Check(passed: true);
        Assert.Equal(DestinationHealth.Healthy, Active);
    }

    [Fact]
    public void PollSaysNotReady_TakesThePodOutAtOnce_UntilACheckPassesOrAPollSaysReady()
    {
        Check(passed: true);

        Assert.True(_readiness.Follow(_pod, ready: false));
        Assert.Equal(DestinationHealth.Unhealthy, Active);
        Assert.False(_readiness.Follow(_pod, ready: false));
        _time.Advance(PastTheProbeTimeout);
        Check(passed: false);
        Assert.Equal(DestinationHealth.Unhealthy, Active);
        Check(passed: true);
        Assert.Equal(DestinationHealth.Healthy, Active);
        _readiness.Follow(_pod, ready: false);
        Assert.True(_readiness.Follow(_pod, ready: true));
        Assert.Equal(DestinationHealth.Healthy, Active);
    }

    [Fact]
    public void PollSaysReady_ForAPodNotYetChecked_MarksItHealthy_WithoutMovingIt()
    {
        Assert.False(_readiness.Follow(_pod, ready: true));
        Assert.Equal(DestinationHealth.Healthy, Active);
    }

    private void Check(bool passed)
    {
        using var response = new HttpResponseMessage(passed ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable);
        _readiness.ProbingCompleted(_pod.Cluster, [new DestinationProbingResult(_pod.Destination, response, exception: null)]);
    }

    /// <summary>Applies active health as YARP's updater does; passive health is not this class's.</summary>
    private sealed class HealthUpdates : IDestinationHealthUpdater
    {
        public void SetActive(ClusterState cluster, IEnumerable<NewActiveDestinationHealth> newHealthStates)
        {
            foreach (NewActiveDestinationHealth state in newHealthStates)
            {
                state.Destination.Health.Active = state.NewActiveHealth;
            }
        }

        public void SetPassive(ClusterState cluster, DestinationState destination, DestinationHealth newHealth, TimeSpan reactivationPeriod) =>
            throw new NotSupportedException();
    }
}
