using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quicksilver.Gateway.Tests.Infrastructure;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>A pod told to shut down gets no new work from the gateway while its streams finish.</summary>
public sealed class DrainTests
{
    [Fact]
    public async Task DrainingPod_GetsNoNewWork_WhileItsStreamFinishes()
    {
        await using Platform platform = await Platform.StartAsync(podCount: 2);
        using HttpClient client = platform.Gateway.ClientFor(TestTenants.Acme);
        // Long enough to outlast the four requests below, short enough (48 steps) to finish within the pod's drain timeout
        // on a loaded 2-core machine.
        JsonObject longStream = Platform.Completion(maxTokens: 96, stream: true);
        longStream["steps"] = 48;
        using HttpResponseMessage stream = await Platform.PostCompletionAsync(client, longStream, kind: "long-stream");
        Task<string> body = stream.Content.ReadAsStringAsync();
        PodServer draining = null!;
        await Wait.UntilAsync(() => (draining = platform.Pods.FirstOrDefault(p => p.InFlight.GetValueOrDefault("long-stream") == 1)!) is not null, TimeSpan.FromSeconds(10), "the stream to start on a pod");
        PodServer other = platform.Pods.Single(p => p != draining);

        // SIGTERM, as Kubernetes sends it: the pod turns unready and finishes what it has.
        draining.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await Wait.UntilAsync(
            () => platform.Gateway.HealthyPods() == 1 && platform.Gateway.RoutablePods() == 1,
            TimeSpan.FromSeconds(30),
            "the gateway to take the draining pod out",
            platform.Gateway.Explain);
        int before = draining.Requests;
        for (int i = 0; i < 4; i++)
        {
            using HttpResponseMessage answer = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        Assert.Equal(before, draining.Requests);
        IReadOnlyList<string> events = ServerSentEvents.ParseStrict(await body);
        Assert.DoesNotContain(events, e => e.StartsWith("{\"error\"", StringComparison.Ordinal));
        Assert.True(other.Requests >= 4);
    }
}
