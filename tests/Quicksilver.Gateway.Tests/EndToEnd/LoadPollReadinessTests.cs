using System.Net;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>
/// A pod's readiness reaches the gateway with every load poll (its <c>"ready"</c>, what its <c>/health/ready</c>
/// answers), not only with the readiness checks, here an hour apart: a pod leaves rotation at the first poll that finds
/// it not ready and comes back at the first that finds it ready (after a stall of every pod, the model is not answered
/// 503 for a check interval longer than it must).
/// </summary>
public sealed class LoadPollReadinessTests
{
    [Fact]
    public async Task PodSaysNotReadyThenReady_LeavesAndRejoinsRotation_WithoutWaitingForACheck()
    {
        await using StubPod pod = await StubPod.StartAsync(status: 429);
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address], new Dictionary<string, string?> { ["Gateway:Routing:HealthCheckInterval"] = "01:00:00" });
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);
        int checks = pod.ReadinessChecks;

        pod.Ready = false;
        await Wait.UntilAsync(() => gateway.RoutablePods() == 0, TimeSpan.FromSeconds(10), "the pod out of rotation", gateway.Explain);
        using HttpResponseMessage whileOut = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 4));
        int receivedWhileOut = pod.Received;
        pod.Ready = true;
        await Wait.UntilAsync(() => gateway.RoutablePods() == 1, TimeSpan.FromSeconds(10), "the pod back in rotation", gateway.Explain);
        using HttpResponseMessage back = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 4));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, whileOut.StatusCode);
        Assert.Equal(0, receivedWhileOut);
        Assert.Equal(HttpStatusCode.TooManyRequests, back.StatusCode);
        Assert.True(pod.Received > 0, "the pod back in rotation got no request");
        Assert.Equal(checks, pod.ReadinessChecks);
        Assert.Contains(gateway.Logs.Entries, e => e.Message.EndsWith("reports on its load poll that it is not ready: out of rotation", StringComparison.Ordinal));
        Assert.Contains(gateway.Logs.Entries, e => e.Message.EndsWith("reports on its load poll that it is ready: in rotation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PodTheChecksTookOut_ComesBackAtItsFirstReadyPoll_NotAtTheNextCheck()
    {
        await using StubPod pod = await StubPod.StartAsync(status: 429);
        pod.Hung = true;
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Routing:HealthCheckInterval"] = "01:00:00",
            ["Gateway:Routing:ProbeTimeout"] = "00:00:00.5",
            ["Gateway:Routing:UnhealthyThreshold"] = "1",
        };

        // The gateway's first readiness check times out on the hung pod, and the next is an hour away.
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address], settings, expectedPods: 0);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);
        pod.Ready = true;
        pod.Hung = false;
        await Wait.UntilAsync(() => gateway.RoutablePods() == 1, TimeSpan.FromSeconds(10), "the pod back in rotation", gateway.Explain);
        using HttpResponseMessage answer = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 4));

        Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
        Assert.True(pod.Received > 0, "the pod back in rotation got no request");
        Assert.Equal(0, pod.ReadinessChecks);
        Assert.Contains(gateway.Logs.Entries, e => e.Message.EndsWith("reports on its load poll that it is ready: in rotation", StringComparison.Ordinal));
    }
}
