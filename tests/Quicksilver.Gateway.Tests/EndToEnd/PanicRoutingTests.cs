using System.Net;
using Microsoft.AspNetCore.Http;
using Quicksilver.Gateway.Tests.Infrastructure;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>
/// Readiness probes that time out (CPU-bound pods under load answer them late) take a pod out of rotation while
/// another is ready, but never close the gateway: when every pod fails its probe, requests go to the pods that still
/// connect (panic routing).
/// </summary>
public sealed class PanicRoutingTests
{
    private static readonly TimeSpan LateProbe = TimeSpan.FromSeconds(3); // the tests' probe timeout is 1 s

    [Fact]
    public async Task EveryPodsProbeTimingOut_RequestsStillReachThePods()
    {
        await using StubPod slow = await StubPod.StartAsync(StatusCodes.Status200OK, readinessDelay: LateProbe);
        await using GatewayServer gateway = await GatewayServer.StartAsync([slow.Address], expectedPods: 0);
        await Wait.UntilAsync(() => gateway.Pods() is [{ Health.Active: DestinationHealth.Unhealthy }], TimeSpan.FromSeconds(15), "the probe to time out");
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, slow.Generations);
    }

    [Fact]
    public async Task OnePodReady_APodWhoseProbeTimesOutGetsNothing()
    {
        await using StubPod slow = await StubPod.StartAsync(StatusCodes.Status200OK, readinessDelay: LateProbe);
        await using PodServer pod = await PodServer.StartAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync([slow.Address, pod.Address], expectedPods: 1);
        await Wait.UntilAsync(() => gateway.Pods().Any(d => d.Health.Active == DestinationHealth.Unhealthy), TimeSpan.FromSeconds(15), "the slow pod's probe to time out");
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        for (int i = 0; i < 6; i++)
        {
            using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal((0, 6), (slow.Generations, pod.Requests));
    }
}
