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

            Assert.All(
                await MetricsScrape.TwiceAsync(gateway.Address),
                scrape => Assert.Equal(1, MetricsScrape.Sum(scrape, "quicksilver_gateway_rejections_total{", "reason=\"missing_key\"")));
        }
        finally
        {
            await other.DisposeAsync();
        }
    }

    private static async Task RefuseKeylessRequestAsync(GatewayServer gateway)
    {
        using var anonymous = new HttpClient { BaseAddress = gateway.Address };
        using HttpResponseMessage refused = await Platform.PostCompletionAsync(anonymous, Platform.Completion());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
