using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Quicksilver.Gateway.Tests.Infrastructure;

/// <summary>A gateway in front of real pods, all on loopback ports; disposes them all.</summary>
public sealed class Platform : IAsyncDisposable
{
    private Platform(List<PodServer> pods, GatewayServer gateway)
    {
        Pods = pods;
        Gateway = gateway;
    }

    public List<PodServer> Pods { get; }

    public GatewayServer Gateway { get; }

    /// <summary>Starts <paramref name="podCount"/> pods (the first with <paramref name="firstPodSettings"/>) and a gateway in front.</summary>
    public static async Task<Platform> StartAsync(
        int podCount,
        IReadOnlyDictionary<string, string?>? firstPodSettings = null,
        IReadOnlyDictionary<string, string?>? gatewaySettings = null)
    {
        var pods = new List<PodServer>();
        for (int i = 0; i < podCount; i++)
        {
            pods.Add(await PodServer.StartAsync(settings: i == 0 ? firstPodSettings : null));
        }

        GatewayServer gateway = await GatewayServer.StartAsync([.. pods.Select(p => p.Address)], gatewaySettings);
        return new Platform(pods, gateway);
    }

    /// <summary>A short greedy completion request (<paramref name="maxTokens"/> tokens, one step per token).</summary>
    public static JsonObject Completion(int maxTokens = 8, bool stream = false, string prompt = "The quick brown fox") => new()
    {
        ["model"] = GatewayServer.Model,
        ["prompt"] = prompt,
        ["max_tokens"] = maxTokens,
        ["temperature"] = 0,
        ["block_length"] = 8,
        ["stream"] = stream,
        ["ignore_eos"] = true, // answers of exactly maxTokens, whatever the trained model would say
    };

    /// <summary>
    /// Sends small completions, each of which must be answered 200, until at least <paramref name="minimum"/> went and
    /// <paramref name="reached"/> holds, at most 40: the balancer picks either of two equal pods first, so a fixed
    /// number of requests all miss the one under test now and then. Returns how many were sent.
    /// </summary>
    public static async Task<int> SendUntilAsync(HttpClient client, int minimum, Func<bool> reached)
    {
        int sent = 0;
        while (sent < minimum || (!reached() && sent < 40))
        {
            using HttpResponseMessage response = await PostCompletionAsync(client, Completion(maxTokens: 2));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            sent++;
        }

        return sent;
    }

    /// <summary>POSTs <paramref name="body"/> to <c>/v1/completions</c>, optionally tagged with <c>X-Test-Kind</c> for <see cref="PodServer.InFlight"/>.</summary>
    public static async Task<HttpResponseMessage> PostCompletionAsync(HttpClient client, JsonObject body, string? kind = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(body) };
        if (kind is not null)
        {
            request.Headers.Add("X-Test-Kind", kind);
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        foreach (PodServer pod in Pods)
        {
            await pod.DisposeAsync();
        }
    }
}
