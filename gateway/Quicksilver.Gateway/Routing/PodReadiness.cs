using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Whether each pod is ready for traffic (YARP's active health), from two sources of the same verdict. The readiness
/// checks (<c>/health/ready</c> every <see cref="RoutingOptions.HealthCheckInterval"/>): <see cref="RoutingOptions.UnhealthyThreshold"/>
/// failures in a row take a pod out, so that one check that timed out on a busy pod costs it nothing, and one that
/// passes brings it back. And each load poll's <c>"ready"</c> (<see cref="Follow"/>), up to a check interval fresher:
/// a pod that says it is not ready leaves at once, and one that says it is ready comes back at once, its failures
/// forgotten as a passed check forgets them. Otherwise a model whose every pod stalled for a while would be answered
/// 503 for up to a check interval after they all recovered.
/// </summary>
internal sealed class PodReadiness(IDestinationHealthUpdater healthUpdater, IOptionsMonitor<RoutingOptions> options) : IActiveHealthCheckPolicy
{
    public const string PolicyName = "QuicksilverReadiness";

    private readonly ConditionalWeakTable<DestinationState, Failures> _failures = [];

    public string Name => PolicyName;

    public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults)
    {
        if (probingResults.Count == 0)
        {
            return;
        }

        var verdicts = new NewActiveDestinationHealth[probingResults.Count];
        for (int i = 0; i < probingResults.Count; i++)
        {
            DestinationState destination = probingResults[i].Destination;
            Failures failures = _failures.GetOrCreateValue(destination);
            bool passed = probingResults[i].Response is { IsSuccessStatusCode: true };
            bool tooMany = failures.Record(passed) >= options.CurrentValue.UnhealthyThreshold;
            verdicts[i] = new NewActiveDestinationHealth(destination, passed ? DestinationHealth.Healthy
                : tooMany ? DestinationHealth.Unhealthy
                : destination.Health.Active);
        }

        healthUpdater.SetActive(cluster, verdicts);
    }

    /// <summary>
    /// Takes the pod in or out of rotation as its load poll just said it is ready or not. Returns whether that moved it
    /// (a pod not yet checked, Unknown, is in rotation already).
    /// </summary>
    public bool Follow(RoutedPod pod, bool ready)
    {
        if (ready)
        {
            _failures.GetOrCreateValue(pod.Destination).Record(passed: true);
        }

        bool inRotation = pod.Destination.Health.Active != DestinationHealth.Unhealthy;
        if (inRotation == ready)
        {
            return false;
        }

        healthUpdater.SetActive(pod.Cluster, [new NewActiveDestinationHealth(pod.Destination, ready ? DestinationHealth.Healthy : DestinationHealth.Unhealthy)]);
        return true;
    }

    /// <summary>A pod's failed checks in a row.</summary>
    private sealed class Failures
    {
        private readonly Lock _lock = new();
        private int _inARow;

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
