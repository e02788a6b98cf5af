using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.Telemetry;

/// <summary>
/// Each gateway exports only its own <c>Quicksilver.Gateway</c> meter. Listening by meter name alone, every gateway's
/// exporter in a process also heard the others' instruments and shared one series with them: it counted their
/// measurements as its own, and another gateway stopping (its meter disposed) silently removed the series from this
/// one's <c>/metrics</c>.
/// </summary>
public sealed class GatewayMeterIsolationTests
{
    private static readonly Uri MetricsPath = new("/metrics", UriKind.Relative);

    [Fact]
    public async Task AnotherGatewayStopping_LeavesThisGatewaysSeriesOnItsMetrics()
    {
        await using StubPod pod = await StubPod.StartAsync(StatusCodes.Status503ServiceUnavailable);
        GatewayServer other = await GatewayServer.StartAsync([pod.Address]);
        try
        {
            await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address]);
            await RefuseKeylessRequestAsync(other);
            await RefuseKeylessRequestAsync(gateway);

            await other.DisposeAsync();

            using var scraper = new HttpClient { BaseAddress = gateway.Address };

            // A series dropped by the other meter's end is exported once more, then removed: the second scrape tells.
            string[] scrapes = [await scraper.GetStringAsync(MetricsPath), await scraper.GetStringAsync(MetricsPath)];
            Assert.All(scrapes, scrape => Assert.Equal(1, KeylessRejections(scrape)));
        }
        finally
        {
            await other.DisposeAsync();
        }
    }

    /// <summary>The value of <c>quicksilver_gateway_rejections_total{reason="missing_key"}</c>, or 0 when absent.</summary>
    private static double KeylessRejections(string scrape) => scrape.Split('\n')
        .Where(line => line.StartsWith("quicksilver_gateway_rejections_total{", StringComparison.Ordinal) && line.Contains("reason=\"missing_key\"", StringComparison.Ordinal))
        .Select(line => double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture))
        .Sum();

    private static async Task RefuseKeylessRequestAsync(GatewayServer gateway)
    {
        using var anonymous = new HttpClient { BaseAddress = gateway.Address };
        using HttpResponseMessage refused = await Platform.PostCompletionAsync(anonymous, Platform.Completion());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
