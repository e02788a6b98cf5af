using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
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
        await Task.Delay(300); // a few load polls

        using HttpClient client = platform.Gateway.ClientFor(TestTenants.Acme);
        for (int wave = 0; wave < 4; wave++)
        {
            HttpResponseMessage[] answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 4), kind: "balanced")));
            Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
            Array.ForEach(answers, answer => answer.Dispose());
        }

        int[] received = [.. platform.Pods.Select(pod => pod.Tenants.Count(r => r.Kind == "balanced"))];
        Assert.True(received[0] <= 1, $"the busy pod got {received[0]} of 12 ({string.Join(", ", received)})");
        Assert.Equal(12, received.Sum());
        Assert.All(received[1..], count => Assert.InRange(count, 3, 9));
        foreach (HttpResponseMessage answer in await Task.WhenAll(backlog))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            answer.Dispose();
        }
    }

    private static async Task<int> WaitingAsync(HttpClient pod) =>
        (int)(await pod.GetFromJsonAsync<JsonObject>(new Uri("/load", UriKind.Relative)))!["waiting"]!;
}
