using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>Load-aware balancing with real pods: a pod's own queue steers the gateway away from it.</summary>
public sealed class LoadBalancingTests
{
    [Fact]
    public async Task PodWithALongQueue_ReceivesFewerNewRequests()
    {
        // Pod 0 runs one sequence at a time; direct callers (another gateway replica, say) give it a queue this
        // gateway never saw pass through it.
        await using Platform platform = await Platform.StartAsync(
            podCount: 3,
            firstPodSettings: new Dictionary<string, string?>
            {
                ["Quicksilver:Engine:MaxActiveSequences"] = "1",
                ["Quicksilver:Engine:QueueTimeout"] = "00:05:00",
            });
        PodServer busy = platform.Pods[0];
        using var direct = new HttpClient { BaseAddress = busy.Address, Timeout = TimeSpan.FromMinutes(5) };
        Task<HttpResponseMessage>[] backlog = [.. Enumerable.Range(0, 5).Select(_ => Platform.PostCompletionAsync(direct, Platform.Completion(maxTokens: 32), kind: "backlog"))];
        await Wait.UntilAsync(async () => await WaitingAsync(direct) >= 3, TimeSpan.FromSeconds(20), "a queue on the busy pod");
        // The gateway polls the load every 100 ms, but a starved poller can be late: wait until it has seen the queue.
        PodLoadRegistry loads = platform.Gateway.Services.GetRequiredService<PodLoadRegistry>();
        await Wait.UntilAsync(() => loads.Score(busy.Address.ToString()).Requests >= 3, TimeSpan.FromSeconds(20), "the gateway to see the queue");

        // Waves of three until each idle pod has had three: which of the two gets a request is a coin toss, and four
        // waves (the usual count) leave one of them under three about once in 120 runs. Twelve waves fall short about
        // once in 10^11.
        using HttpClient client = platform.Gateway.ClientFor(TestTenants.Acme);
        int[] received = new int[3];
        for (int wave = 0; wave < 12 && received[1..].Min() < 3; wave++)
        {
            HttpResponseMessage[] answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 4), kind: "balanced")));
            Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
            Array.ForEach(answers, answer => answer.Dispose());
            received = [.. platform.Pods.Select(pod => pod.Tenants.Count(r => r.Kind == "balanced"))];
        }

        Assert.True(received[0] <= 1, $"the busy pod got {received[0]} of {received.Sum()} ({string.Join(", ", received)})");
        Assert.Equal(0, received.Sum() % 3);
        Assert.All(received[1..], count => Assert.True(count >= 3, $"an idle pod got {count} of {received.Sum()} ({string.Join(", ", received)})"));
        foreach (HttpResponseMessage answer in await Task.WhenAll(backlog))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            answer.Dispose();
        }
    }

    private static async Task<int> WaitingAsync(HttpClient pod) =>
        (int)(await pod.GetFromJsonAsync<JsonObject>(new Uri("/load", UriKind.Relative)))!["waiting"]!;
}
