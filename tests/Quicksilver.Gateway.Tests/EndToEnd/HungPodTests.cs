using System.Net;
using Microsoft.AspNetCore.Http;
using Quicksilver.Gateway.Tests.Infrastructure;
using Quicksilver.Server.Tests.Infrastructure;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>
/// A pod that accepts connections but answers nothing (stopped or wedged) beside one that answers, behind a gateway
/// whose readiness checks are an hour apart: only the load polls' silence can tell the hung pod.
/// </summary>
public sealed class HungPodTests
{
    private static readonly Dictionary<string, string?> QuickSilence = new()
    {
        ["Gateway:Routing:HealthCheckInterval"] = "01:00:00",
        ["Gateway:Routing:ProbeTimeout"] = "00:00:00.5",
        ["Gateway:Routing:UnresponsivePodTimeout"] = "00:00:02",
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PodHungWithRequestsUnanswered_TheyAreTakenBackAndAnsweredByAnotherPod(bool stream)
    {
        await using StubPod hung = await StubPod.StartSilentAsync();
        await using PodServer pod = await PodServer.StartAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync([hung.Address, pod.Address], QuickSilence);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);
        hung.Hung = true;

        // The balancer still sees the hung pod idle (its last load report) and sends it some of these.
        HttpResponseMessage[] answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 4, stream: stream))))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(hung.Received > 0, "no request was sent to the hung pod, so none was taken back");
        foreach (HttpResponseMessage answer in answers)
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains(stream ? "[DONE]" : "\"completion_tokens\":4", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            answer.Dispose();
        }

        Assert.Equal(4, pod.Requests);
        Assert.Contains(gateway.Logs.Entries, e => e.Message.Contains("taken for hung and ejected", StringComparison.Ordinal));
        Assert.Equal(DestinationHealth.Unhealthy, PodAt(gateway, hung).Health.Passive);
    }

    [Fact]
    public async Task PodHungAfterItBeganStreams_TheyEndWithATimeoutErrorEvent_NotAfterTheActivityTimeout()
    {
        await using StubPod stalling = await StubPod.StartStallingStreamAsync(promptTokens: 3);
        await using PodServer pod = await PodServer.StartAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync([stalling.Address, pod.Address], QuickSilence);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        HttpResponseMessage[] streams = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 4, stream: true))));
        Task<string>[] bodies = [.. streams.Select(stream => stream.Content.ReadAsStringAsync())];
        Assert.True(stalling.Received > 0, "no stream was sent to the pod that stalls, so none could be cut");
        stalling.Hung = true;

        string[] relayed = await Task.WhenAll(bodies).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(streams, stream => Assert.Equal(HttpStatusCode.OK, stream.StatusCode));
        int cut = relayed.Count(body => body.Contains("\"type\":\"GatewayTimeoutError\"", StringComparison.Ordinal));
        Assert.Equal(stalling.Received, cut);
        Assert.Equal(4 - cut, pod.Requests);
        Assert.All(relayed, body => Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal));
        Assert.Contains(gateway.Logs.Entries, e => e.Message.Contains($"{cut} answers it had begun are ended", StringComparison.Ordinal));
        foreach (HttpResponseMessage stream in streams)
        {
            stream.Dispose();
        }
    }

    [Fact]
    public async Task PodHungHoldingNoRequest_IsEjectedUntilItAnswersAgain()
    {
        await using StubPod hung = await StubPod.StartSilentAsync();
        await using PodServer pod = await PodServer.StartAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync([hung.Address, pod.Address], QuickSilence);

        hung.Hung = true;

        await Wait.UntilAsync(
            () => PodAt(gateway, hung).Health.Passive == DestinationHealth.Unhealthy && gateway.RoutablePods() == 1,
            TimeSpan.FromSeconds(30),
            "the hung pod ejected",
            gateway.Explain);
        Assert.Contains(gateway.Logs.Entries, e => e.Message.Contains("taken for hung and ejected until it answers, 0 requests", StringComparison.Ordinal));

        // Out for longer than a transport failure's ejection (1 s in these tests): until it answers.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(DestinationHealth.Unhealthy, PodAt(gateway, hung).Health.Passive);

        hung.Hung = false;

        await Wait.UntilAsync(() => gateway.RoutablePods() == 2, TimeSpan.FromSeconds(30), "the pod back in rotation", gateway.Explain);
        Assert.Contains(gateway.Logs.Entries, e => e.Message.Contains("answers again: back in rotation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryPodSilent_TheTroubleIsTakenForTheGatewaysOwn_NoPodIsTakenForHung()
    {
        await using StubPod first = await StubPod.StartSilentAsync();
        await using StubPod second = await StubPod.StartSilentAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync([first.Address, second.Address], QuickSilence);

        first.Hung = true;
        second.Hung = true;

        await Wait.UntilAsync(
            () => gateway.Logs.Entries.Any(e => e.Message.Contains("has answered a load poll in the last", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30),
            "the gateway to notice that no pod answers");
        Assert.DoesNotContain(gateway.Logs.Entries, e => e.Message.Contains("taken for hung and ejected", StringComparison.Ordinal));
        Assert.All(gateway.Pods(), p => Assert.NotEqual(DestinationHealth.Unhealthy, p.Health.Passive));
    }

    [Fact]
    public async Task PodWhoseLoadAnswersAnError_IsAliveNotHung()
    {
        await using StubPod broken = await StubPod.StartSilentAsync();
        await using PodServer pod = await PodServer.StartAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync([broken.Address, pod.Address], QuickSilence);

        broken.LoadStatus = StatusCodes.Status500InternalServerError;

        // No event marks "not taken for hung": this waits out twice the timeout, every poll answered 500 meanwhile.
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.DoesNotContain(gateway.Logs.Entries, e => e.Message.Contains("taken for hung and ejected", StringComparison.Ordinal));
        Assert.NotEqual(DestinationHealth.Unhealthy, PodAt(gateway, broken).Health.Passive);
        Assert.Equal(2, gateway.RoutablePods());
    }

    private static DestinationState PodAt(GatewayServer gateway, StubPod stub) =>
        gateway.Pods().Single(d => d.Model.Config.Address.TrimEnd('/') == stub.Address.ToString().TrimEnd('/'));
}
