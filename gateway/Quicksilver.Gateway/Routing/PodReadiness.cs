using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Whether each pod is ready for traffic (YARP's active health), from two sources of the same verdict. Each load poll's
/// <c>"ready"</c> (<see cref="Follow"/>), every <see cref="RoutingOptions.LoadPollInterval"/>: a pod that says it is not
/// ready leaves at once, and one that says it is ready comes back at once, its failures forgotten as a passed check
/// forgets them. Otherwise a model whose every pod stalled for a while would be answered 503 for up to a check interval
/// after they all recovered. And the readiness checks (<c>/health/ready</c> every <see cref="RoutingOptions.HealthCheckInterval"/>),
/// for pods whose polls have said nothing for <see cref="RoutingOptions.ProbeTimeout"/> (a round of checks is applied
/// when its slowest ends, so a check that old may be older than such a poll; and a pod that answers its polls is better
/// heard there) or that never say it (older pods): <see cref="RoutingOptions.UnhealthyThreshold"/> failures in a row take
/// a pod out, so that one check that timed out on a busy pod costs it nothing, and one that passes brings it back.
/// </summary>
internal sealed class PodReadiness(IDestinationHealthUpdater healthUpdater, IOptionsMonitor<RoutingOptions> options, TimeProvider time) : IActiveHealthCheckPolicy
{
    public const string PolicyName = "QuicksilverReadiness";

    private readonly ConditionalWeakTable<DestinationState, ReadinessTrack> _tracks = [];

    public string Name => PolicyName;

    public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults)
    {
        var verdicts = new List<NewActiveDestinationHealth>(probingResults.Count);
        foreach (DestinationProbingResult result in probingResults)
        {
            ReadinessTrack track = _tracks.GetOrCreateValue(result.Destination);
            if (track.PollSpokeWithin(options.CurrentValue.ProbeTimeout, time))
            {
                continue;
            }

            bool passed = result.Response is { IsSuccessStatusCode: true };
            bool tooMany = track.Record(passed) >= options.CurrentValue.UnhealthyThreshold;
            verdicts.Add(new NewActiveDestinationHealth(result.Destination, passed ? DestinationHealth.Healthy
                : tooMany ? DestinationHealth.Unhealthy
                : result.Destination.Health.Active));
        }

        healthUpdater.SetActive(cluster, verdicts);
    }

    /// <summary>
    /// Takes the pod in or out of rotation as its load poll just said it is ready or not. Returns whether that moved it
    /// (a pod not yet checked, Unknown, is in rotation already: found ready, it is marked so without moving).
    /// </summary>
    public bool Follow(RoutedPod pod, bool ready)
    {
        ReadinessTrack track = _tracks.GetOrCreateValue(pod.Destination);
        track.PollSpoke(time);
        if (ready)
        {
            track.Record(passed: true);
        }

        DestinationHealth was = pod.Destination.Health.Active;
        DestinationHealth verdict = ready ? DestinationHealth.Healthy : DestinationHealth.Unhealthy;
        if (was == verdict)
        {
            return false;
        }

        healthUpdater.SetActive(pod.Cluster, [new NewActiveDestinationHealth(pod.Destination, verdict)]);
        return was != DestinationHealth.Unknown || !ready;
    }

    /// <summary>A pod's failed checks in a row, and when its load poll last said whether it is ready.</summary>
    private sealed class ReadinessTrack
    {
        private readonly Lock _lock = new();
        private int _inARow;
        private long _pollSpokeAt;

        public void PollSpoke(TimeProvider time)
        {
            lock (_lock)
            {
                _pollSpokeAt = time.GetTimestamp();
            }
        }

        public bool PollSpokeWithin(TimeSpan window, TimeProvider time)
        {
            lock (_lock)
            {
                return _pollSpokeAt != 0 && time.GetElapsedTime(_pollSpokeAt) <= window;
            }
        }

        /// <summary>Records a check; returns the failures in a row now.</summary>
        public int Record(bool passed)
        {
            lock (_lock)
            {
                _inARow = passed ? 0 : _inARow + 1;
                return _inARow;
            }
        }
    }
}
