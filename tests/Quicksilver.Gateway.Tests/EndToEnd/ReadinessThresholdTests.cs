using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>
/// Readiness checks take a pod out of rotation after <c>Gateway:Routing:UnhealthyThreshold</c> (2) failures in a row: one
/// slow or failed check of a busy pod costs it no traffic.
/// </summary>
public sealed class ReadinessThresholdTests
{
    [Fact]
    public async Task OneFailedCheck_KeepsThePodInRotation_TwoInARowTakeItOut()
    {
        await using StubPod pod = await StubPod.StartAsync(status: 503);
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address]);

        Assert.False(await FailChecksAndWatchAsync(gateway, pod, failing: 1), "one failed readiness check took the pod out of rotation");
        Assert.True(await FailChecksAndWatchAsync(gateway, pod, failing: 2), "two failed readiness checks in a row left the pod in rotation");
    }

    [Fact]
    public async Task ThresholdOfOne_TakesThePodOutAtTheFirstFailedCheck()
    {
        await using StubPod pod = await StubPod.StartAsync(status: 503);
        var settings = new Dictionary<string, string?> { ["Gateway:Routing:UnhealthyThreshold"] = "1" };
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address], settings);

        Assert.True(await FailChecksAndWatchAsync(gateway, pod, failing: 1), "with a threshold of 1, a failed readiness check left the pod in rotation");
    }

    /// <summary>
    /// Fails the pod's next <paramref name="failing"/> readiness checks and watches the gateway until two more checks
    /// have come (the pod is back by then): whether it took the pod out of rotation meanwhile. Out of rotation, a pod
    /// stays out until the next check passes, a whole check interval (250 ms) against this 50 ms watch.
    /// </summary>
    private static async Task<bool> FailChecksAndWatchAsync(GatewayServer gateway, StubPod pod, int failing)
    {
        pod.FailReadinessChecks(failing);
        int until = pod.ReadinessChecks + failing + 2;
        bool tookOut = false;
        await Wait.UntilAsync(
            () =>
            {
                tookOut |= gateway.HealthyPods() == 0;
                return pod.ReadinessChecks >= until;
            },
            TimeSpan.FromSeconds(30),
            $"{failing + 2} readiness checks");
        await Wait.UntilAsync(() => gateway.HealthyPods() == 1, TimeSpan.FromSeconds(30), "the pod back in rotation", gateway.Explain);
        return tookOut;
    }
}
