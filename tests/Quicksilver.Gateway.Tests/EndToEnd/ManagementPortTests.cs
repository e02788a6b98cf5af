using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Apis;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>
/// <c>Gateway:ManagementPort</c>: <c>/metrics</c> (every tenant's traffic) answers on that port only, which serves
/// nothing else but health, told apart by the connection's local port; a gateway not listening on it does not start
/// (checked on a server's addresses: the test host swallows a failed start's exception).
/// </summary>
public sealed class ManagementPortTests
{
    [Fact]
    public async Task ManagementPortSet_MetricsOnlyThere_AndTheApiOnlyOnTheOtherPort()
    {
        int management = FreePort();
        await using StubPod pod = await StubPod.StartSilentAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync(
            [pod.Address], new Dictionary<string, string?> { ["Gateway:ManagementPort"] = management.ToString(System.Globalization.CultureInfo.InvariantCulture) }, alsoListenOn: management);
        using HttpClient api = gateway.ClientFor(TestTenants.Acme);
        using HttpClient managementClient = gateway.ClientFor(TestTenants.Acme);
        managementClient.BaseAddress = new Uri($"http://127.0.0.1:{management}");

        using HttpResponseMessage models = await api.GetAsync(new Uri("/v1/models", UriKind.Relative));
        using HttpResponseMessage metricsOnApi = await api.GetAsync(new Uri("/metrics", UriKind.Relative));
        using HttpResponseMessage metrics = await managementClient.GetAsync(new Uri("/metrics", UriKind.Relative));
        using HttpResponseMessage modelsOnManagement = await managementClient.GetAsync(new Uri("/v1/models", UriKind.Relative));
        using HttpResponseMessage ready = await managementClient.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using HttpResponseMessage readyOnApi = await api.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, metricsOnApi.StatusCode);
        Assert.Contains("\"error\"", await metricsOnApi.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("http_server_request_duration_seconds", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, modelsOnManagement.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readyOnApi.StatusCode);
    }

    [Theory]
    [InlineData(9090, "http://[::]:8080", false)]
    [InlineData(9090, "http://[::]:8080;http://[::]:9090", true)]
    [InlineData(9090, "http://127.0.0.1:8080;http://localhost:9090", true)]
    public async Task ManagementPortCheck_StartedServer_PassesOnlyWhenItListensOnThePort(int port, string addresses, bool starts)
    {
        var server = new ListeningServer(addresses.Split(';'));
        var check = new ManagementPortCheck(server, Microsoft.Extensions.Options.Options.Create(new Quicksilver.Gateway.Options.GatewayOptions { ManagementPort = port }));

        Exception? failure = await Record.ExceptionAsync(() => check.StartedAsync(CancellationToken.None));

        if (starts)
        {
            Assert.Null(failure);
        }
        else
        {
            OptionsValidationException invalid = Assert.IsType<OptionsValidationException>(failure);
            Assert.Equal($"Gateway:ManagementPort is {port}, but the gateway listens only on {addresses}: add http://+:{port} to ASPNETCORE_URLS.", invalid.Message);
        }
    }

    /// <summary>A started server's addresses, all its check reads.</summary>
    private sealed class ListeningServer : IServer
    {
        public ListeningServer(IEnumerable<string> addresses)
        {
            var feature = new ServerAddressesFeature();
            foreach (string address in addresses)
            {
                feature.Addresses.Add(address);
            }

            Features.Set<IServerAddressesFeature>(feature);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }

    /// <summary>A loopback port free a moment ago.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
