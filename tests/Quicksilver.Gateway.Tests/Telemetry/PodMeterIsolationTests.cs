using System.Globalization;
using System.Net;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.Telemetry;

/// <summary>
/// Each pod exports its own engine's and billing meters. Listening by meter name alone, a pod's exporter also heard
/// the other pods' in the process and shared one series with them, so another pod stopping (its engine's meters
/// disposed) silently removed this pod's cost series from <c>/metrics</c>, and counted the others' measurements as its own.
/// </summary>
public sealed class PodMeterIsolationTests
{
    private static readonly Uri MetricsPath = new("/metrics", UriKind.Relative);

    [Fact]
    public async Task AnotherPodStopping_LeavesThisPodsCostSeriesOnItsMetrics()
    {
        PodServer other = await PodServer.StartAsync();
        try
        {
            await using PodServer pod = await PodServer.StartAsync();
            await CompleteAsync(other);
            await CompleteAsync(pod);

            await other.DisposeAsync();

            using var scraper = new HttpClient { BaseAddress = pod.Address };

            // A series dropped by the other meter's end is exported once more, then removed: the second scrape tells.
            string[] scrapes = [await scraper.GetStringAsync(MetricsPath), await scraper.GetStringAsync(MetricsPath)];
            Assert.All(scrapes, scrape => Assert.Equal(1, Samples(scrape, "quicksilver_tokens_total{", "gen_ai_token_type=\"input\"")));
            Assert.All(scrapes, scrape => Assert.Equal(1, Samples(scrape, "quicksilver_gpu_seconds_total{", "quicksilver_tenant=")));
        }
        finally
        {
            await other.DisposeAsync();
        }
    }

    /// <summary>How many series named by <paramref name="prefix"/> whose labels contain <paramref name="label"/> the scrape holds.</summary>
    private static int Samples(string scrape, string prefix, string label) =>
        scrape.Split('\n').Count(line => line.StartsWith(prefix, StringComparison.Ordinal) && line.Contains(label, StringComparison.Ordinal)
            && double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture) > 0);

    private static async Task CompleteAsync(PodServer pod)
    {
        using var client = new HttpClient { BaseAddress = pod.Address };
        using HttpResponseMessage answer = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        _ = await answer.Content.ReadAsStringAsync();
    }
}
