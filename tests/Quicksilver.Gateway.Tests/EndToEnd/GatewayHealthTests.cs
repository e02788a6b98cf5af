using System.Net;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>
/// The gateway's probes answer without an API key, and readiness does not follow the pods: with its only pod gone the
/// gateway stays in its Service, answering 503s in OpenAI's shape rather than refusing connections.
/// </summary>
public sealed class GatewayHealthTests
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/health")]
    public async Task Probe_WithoutAKey_AnswersOk_EvenWithNoPodLeft(string path)
    {
        await using StubPod pod = await StubPod.StartSilentAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address]);
        using var client = new HttpClient { BaseAddress = gateway.Address };

        using HttpResponseMessage withPod = await client.GetAsync(new Uri(path, UriKind.Relative));
        await pod.DisposeAsync(); // disposing twice (again at the end) is harmless
        await Wait.UntilAsync(() => gateway.HealthyPods() == 0, TimeSpan.FromSeconds(30), "the gateway to take its stopped pod out", gateway.Explain);
        using HttpResponseMessage withoutPod = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, withPod.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withoutPod.StatusCode);
    }
}
