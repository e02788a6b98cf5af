using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.Telemetry;

/// <summary>
/// Each pod exports its own engine's and billing meters. Listening by meter name alone, a pod's exporter also heard
/// the other pods' in the process and shared one series with them, so another pod stopping (its engine's meters
/// disposed) silently removed this pod's cost series from <c>/metrics</c>, and counted the others' measurements as its own.
/// </summary>
public sealed class PodMeterIsolationTests
{
    [Fact]
    public async Task AnotherPodStopping_LeavesThisPodsCostSeriesOnItsMetrics()
    {
        PodServer other = await PodServer.StartAsync();
        try
        {
            await using PodServer pod = await PodServer.StartAsync();
            await CompleteAsync(other);
            int promptTokens = await CompleteAsync(pod);

            await other.DisposeAsync();

            string[] scrapes = await MetricsScrape.TwiceAsync(pod.Address);
            Assert.All(scrapes, scrape => Assert.True(MetricsScrape.Sum(scrape, "quicksilver_gpu_seconds_total{", "quicksilver_tenant=") > 0, scrape));
            Assert.All(scrapes, scrape => Assert.Equal(promptTokens, MetricsScrape.Sum(scrape, "quicksilver_tokens_total{", "gen_ai_token_type=\"input\"")));
        }
        finally
        {
            await other.DisposeAsync();
        }
    }

    /// <summary>Sends one completion straight to <paramref name="pod"/>; returns its usage's prompt tokens.</summary>
    private static async Task<int> CompleteAsync(PodServer pod)
    {
        using var client = new HttpClient { BaseAddress = pod.Address };
        using HttpResponseMessage answer = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return (int)(await answer.Content.ReadFromJsonAsync<JsonObject>())!["usage"]!["prompt_tokens"]!;
    }
}
