using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.Telemetry;

/// <summary>Every refusal the gateway answers itself is counted on <c>quicksilver_gateway_rejections_total</c> with its reason.</summary>
public sealed class GatewayRejectionMetricsTests
{
    [Fact]
    public async Task RequestsTheGatewayRefusesItself_AreCountedByReason()
    {
        await using StubPod pod = await StubPod.StartSilentAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address], new Dictionary<string, string?> { ["Gateway:MaxRequestBodyBytes"] = "2048" });
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        using var notJson = new StringContent("{not json", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync(new Uri("/v1/completions", UriKind.Relative), notJson)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync(new Uri("/v1/completions", UriKind.Relative), new JsonObject { ["prompt"] = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync(new Uri("/v1/completions", UriKind.Relative), new JsonObject { ["model"] = "gpt-5", ["prompt"] = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.PostAsJsonAsync(new Uri("/v1/completions", UriKind.Relative), new JsonObject { ["model"] = "quicksilver-tiny", ["prompt"] = new string('x', 4096) })).StatusCode);

        Assert.All(await MetricsScrape.TwiceAsync(gateway.Address), scrape =>
        {
            Assert.Equal(2, MetricsScrape.Sum(scrape, "quicksilver_gateway_rejections_total{", "reason=\"invalid_request\""));
            Assert.Equal(1, MetricsScrape.Sum(scrape, "quicksilver_gateway_rejections_total{", "reason=\"model_not_found\""));
            Assert.Equal(1, MetricsScrape.Sum(scrape, "quicksilver_gateway_rejections_total{", "reason=\"request_too_large\""));
        });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ClientGoneWhileSendingTheBody_IsAnsweredNothing_AndNoRejection(bool reset)
    {
        await using StubPod pod = await StubPod.StartSilentAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address]);
        string head = string.Join("\r\n",
            "POST /v1/completions HTTP/1.1",
            $"Host: {gateway.Address.Authority}",
            $"Authorization: Bearer {TestTenants.KeyOf(TestTenants.Acme)}",
            "Content-Type: application/json",
            "Content-Length: 1000");

        using var statuses = new GatewayResponseStatuses(gateway);

        // Reset (a crash), or closed for sending (a client that gave up on the upload but still reads).
        string answer = await RawHttp.SendThenGoAsync(gateway.Address, head, "{\"model\":\"quicksilver-tiny\",", reset);

        Assert.Equal("", answer);
        await Wait.UntilAsync(
            () => statuses.Recorded.Count > 0,
            TimeSpan.FromSeconds(30),
            "the gateway to record the request's end");
        Assert.Equal([("POST", (int?)499)], statuses.Recorded);
        string[] scrapes = await MetricsScrape.TwiceAsync(gateway.Address);
        Assert.All(scrapes, scrape => Assert.Equal(0, MetricsScrape.Sum(scrape, "quicksilver_gateway_rejections_total{", "reason=")));
        Assert.Equal(0, pod.Received);
    }
}
