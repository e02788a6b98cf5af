using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Tests.Infrastructure;
using Quicksilver.Gateway.Tests.Routing;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>Pods found through a headless Service's DNS name, as they come and go, without restarting the gateway.</summary>
public sealed class HeadlessServiceTests
{
    [Fact]
    public async Task PodsOfAHeadlessService_FollowItsDnsRecords()
    {
        await using PodServer pod = await PodServer.StartAsync();
        var dns = new HeadlessServiceResolverTests.FakeLookup { Addresses = [IPAddress.Loopback] };
        await using GatewayServer gateway = await GatewayServer.StartAsync(
            pods: [],
            settings: new Dictionary<string, string?>
            {
                [$"Gateway:Models:{GatewayServer.Model}:HeadlessService"] = "quicksilver-tiny.ml.svc.cluster.local",
                [$"Gateway:Models:{GatewayServer.Model}:PodPort"] = pod.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway:Routing:DnsRefreshInterval"] = "00:00:00.2",
            },
            services: services => services.AddSingleton<IHostAddressLookup>(dns),
            expectedPods: 1);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client));
        Assert.Equal(1, pod.Requests);

        dns.Addresses = [];
        await Wait.UntilAsync(() => gateway.Pods().Count == 0 && gateway.RoutablePods() == 0, TimeSpan.FromSeconds(10), "the pod to leave with its DNS record");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(client));

        dns.Addresses = [IPAddress.Loopback];
        await Wait.UntilAsync(() => gateway.HealthyPods() == 1 && gateway.RoutablePods() == 1, TimeSpan.FromSeconds(10), "the pod to return with its DNS record");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client));
        Assert.Equal(2, pod.Requests);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client)
    {
        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));
        return response.StatusCode;
    }
}
