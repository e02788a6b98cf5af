using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>
/// A pod configured with another key than the gateway's answers the gateway 401: that is never relayed to the client
/// (whose own key is fine). The pod is ejected and the request served by another pod; with no other, the client gets
/// 502. While a key is rotated, a pod given the old key as its previous one serves the gateways still sending it.
/// </summary>
public sealed class PodKeyTests
{
    private static readonly Dictionary<string, string?> AnotherKey = new() { ["Quicksilver:Tenancy:GatewayKey"] = "another-key-the-gateway-lacks" };

    [Fact]
    public async Task PodWithAnotherKey_ItsRequestsGoToAnotherPodAndItIsEjected()
    {
        await using PodServer stranger = await PodServer.StartAsync(settings: AnotherKey);
        await using PodServer pod = await PodServer.StartAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync([stranger.Address, pod.Address]);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        // The balancer picks either pod first; keep sending until one request has been refused by the stranger.
        int sent = await Platform.SendUntilAsync(client, minimum: 6, () => stranger.Requests > 0);

        Assert.True(stranger.Requests > 0, $"none of {sent} requests was sent to the pod with another key");
        Assert.Equal(1, stranger.Requests); // ejected after its first refusal (EjectionPeriod outlasts the test)
        Assert.Equal(sent, pod.Requests);
        Assert.Contains(gateway.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains($"{stranger.Address.Port} refused the gateway's key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryPodWithAnotherKey_Is502NotTheClientsKeyRefused()
    {
        await using PodServer stranger = await PodServer.StartAsync(settings: AnotherKey);
        await using GatewayServer gateway = await GatewayServer.StartAsync([stranger.Address]);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        JsonObject error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.AsObject();
        Assert.Equal("BadGatewayError", (string?)error["type"]);
        Assert.Contains("refused this gateway's key", (string?)error["message"], StringComparison.Ordinal);
        string scrape = (await MetricsScrape.TwiceAsync(gateway.Address))[0];
        Assert.Equal(1, MetricsScrape.Sum(scrape, "quicksilver_gateway_rejections_total{", "reason=\"pod_key_refused\""));
    }

    [Fact]
    public async Task KeyBeingRotated_PodWithTheOldKeyAsPreviousServesTheGatewayStillSendingIt()
    {
        await using PodServer rotated = await PodServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Quicksilver:Tenancy:GatewayKey"] = "the-new-key-0123456789",
            ["Quicksilver:Tenancy:PreviousGatewayKey"] = PodServer.PodKey,
        });
        await using GatewayServer gateway = await GatewayServer.StartAsync([rotated.Address]);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TestTenants.Acme, rotated.Tenants.Single().Tenant);
    }
}
