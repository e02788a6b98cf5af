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

        Assert.False(await FailChecksAndWatchAsync(gateway, pod, failing: 1), $"one failed readiness check took the pod out of rotation.\n{gateway.Explain()}");
        Assert.True(await FailChecksAndWatchAsync(gateway, pod, failing: 2), $"two failed readiness checks in a row left the pod in rotation.\n{gateway.Explain()}");
    }

    [Fact]
    public async Task ThresholdOfOne_TakesThePodOutAtTheFirstFailedCheck()
    {
        await using StubPod pod = await StubPod.StartAsync(status: 503);
        var settings = new Dictionary<string, string?> { ["Gateway:Routing:UnhealthyThreshold"] = "1" };
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address], settings);

        Assert.True(await FailChecksAndWatchAsync(gateway, pod, failing: 1), $"with a threshold of 1, a failed readiness check left the pod in rotation.\n{gateway.Explain()}");
    }

    /// <summary>
    /// Fails the pod's next <paramref name="failing"/> readiness checks and waits until two more checks have come and
    /// the pod is back in rotation: whether the gateway took it out meanwhile, as YARP logs each change of a pod's
    /// readiness when it makes it.
    /// </summary>
    private static async Task<bool> FailChecksAndWatchAsync(GatewayServer gateway, StubPod pod, int failing)
    {
        int takenOutBefore = TimesTakenOut(gateway);
        pod.FailReadinessChecks(failing);
        int until = pod.ReadinessChecks + failing + 2;
        await Wait.UntilAsync(() => pod.ReadinessChecks >= until, TimeSpan.FromSeconds(30), $"{failing + 2} readiness checks");
        await Wait.UntilAsync(() => gateway.HealthyPods() == 1, TimeSpan.FromSeconds(30), "the pod back in rotation", gateway.Explain);
        return TimesTakenOut(gateway) > takenOutBefore;
    }

    private static int TimesTakenOut(GatewayServer gateway) =>
        gateway.Logs.Entries.Count(e => e.Message.StartsWith("Active health state of destination", StringComparison.Ordinal)
            && e.Message.EndsWith("is set to 'unhealthy'.", StringComparison.OrdinalIgnoreCase));
}
