using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Quicksilver.Server.Tests.Infrastructure;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway on a real Kestrel loopback port in front of <paramref name="pods"/>, with the test tenants and
/// routing intervals short enough for tests (load polled every 100 ms, readiness every 250 ms, ejection 1 s). Probe and
/// connect timeouts stay long (5 s): a pod that is gone refuses at once, and on a loaded 2-core machine running three
/// test assemblies side by side a 1 s timeout can fire on a pod that is only slow to be scheduled.
/// </summary>
public sealed class GatewayServer(
    IReadOnlyList<Uri> pods,
    IReadOnlyDictionary<string, string?>? settings = null,
    Action<IServiceCollection>? services = null) : WebApplicationFactory<Quicksilver.Gateway.Program>
{
    public const string Model = "quicksilver-tiny";

    public Uri Address { get; private set; } = null!;

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>
    /// Starts the gateway and waits until <paramref name="expectedPods"/> (default: every static pod) are in rotation
    /// (passed a readiness check, and in YARP's snapshot of available destinations). With <paramref name="alsoListenOn"/>
    /// it listens on that loopback port too (<see cref="Address"/> stays the first, dynamic one).
    /// </summary>
    public static async Task<GatewayServer> StartAsync(
        IReadOnlyList<Uri> pods,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        int? expectedPods = null,
        int? alsoListenOn = null)
    {
        var gateway = new GatewayServer(pods, settings, services);
        if (alsoListenOn is { } port)
        {
            gateway.UseKestrel(kestrel =>
            {
                kestrel.Listen(System.Net.IPAddress.Loopback, 0);
                kestrel.Listen(System.Net.IPAddress.Loopback, port);
            });
        }
        else
        {
            gateway.UseKestrel(0);
        }

        gateway.StartServer();
        string address = gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => alsoListenOn is null || !a.EndsWith($":{alsoListenOn}", StringComparison.Ordinal));
        gateway.Address = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        int expected = expectedPods ?? pods.Count;
        // Healthy and also routable: YARP refreshes its snapshot of available destinations just after the health
        // check, and a request sent in between finds no pod (503).
        await Wait.UntilAsync(() => gateway.HealthyPods() == expected && gateway.RoutablePods() == expected, TimeSpan.FromSeconds(30), $"{expected} healthy pods behind the gateway");
        return gateway;
    }

    /// <summary>The gateway in front of one pod address where nothing listens (a port just freed): no pod ever answers.</summary>
    public static Task<GatewayServer> StartWithoutPodsAsync()
    {
        int closedPort;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        return StartAsync([new Uri($"http://127.0.0.1:{closedPort}")], expectedPods: 0);
    }

    /// <summary>A client of the gateway carrying <paramref name="tenant"/>'s API key.</summary>
    public HttpClient ClientFor(string tenant)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTenants.KeyOf(tenant));
        return client;
    }

    /// <summary>Pods of the model that passed their last readiness check and are not ejected.</summary>
    public int HealthyPods() => Pods().Count(d => d.Health.Active == DestinationHealth.Healthy && d.Health.Passive != DestinationHealth.Unhealthy);

    /// <summary>
    /// Pods a request arriving now may be sent to: YARP's snapshot of available destinations, which it refreshes just
    /// after it changes <see cref="Pods"/> (a request in between still sees the old set).
    /// </summary>
    public int RoutablePods() =>
        Services.GetRequiredService<IProxyStateLookup>().TryGetCluster($"model:{Model}", out var cluster) ? cluster.DestinationsState.AvailableDestinations.Count : 0;

    /// <summary>
    /// The gateway's log from <see cref="LogLevel.Information"/> up (YARP's failed readiness checks and health changes
    /// among them, which the test host logs whatever appsettings.json says), YARP's forwarder's from
    /// <see cref="LogLevel.Debug"/> (which error ended each try), and its pods' health now, one line each: what a test
    /// that timed out waiting shows.
    /// </summary>
    public string Explain() => string.Join(
        '\n',
        [
            "Gateway log:",
            .. Logs.Entries.Where(e => e.Level >= LogLevel.Information || e.Category.StartsWith("Yarp.ReverseProxy.Forwarder", StringComparison.Ordinal)).Select(e => $"  {e.Level} {e.Category}: {e.Message} {e.Exception?.GetType().Name}"),
            "Pods:",
            .. Pods().Select(d => $"  {d.Model.Config.Address} active={d.Health.Active} passive={d.Health.Passive}"),
        ]);

    /// <summary>The model's pods as the gateway sees them now.</summary>
    public IReadOnlyList<DestinationState> Pods() =>
        Services.GetRequiredService<IProxyStateLookup>().TryGetCluster($"model:{Model}", out var cluster) ? [.. cluster.Destinations.Values] : [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        for (int i = 0; i < pods.Count; i++)
        {
            builder.UseSetting($"Gateway:Models:{Model}:Pods:{i}", pods[i].GetLeftPart(UriPartial.Authority));
        }

        builder.UseSetting("Gateway:PodKey", PodServer.PodKey);
        builder.UseSetting("Gateway:Tenancy:ApiKeysFile", TestTenants.WriteFile());
        builder.UseSetting("Gateway:Routing:LoadPollInterval", "00:00:00.1");
        builder.UseSetting("Gateway:Routing:HealthCheckInterval", "00:00:00.25");
        builder.UseSetting("Gateway:Routing:EjectionPeriod", "00:00:01");
        builder.UseSetting("Gateway:Routing:ProbeTimeout", "00:00:05");
        builder.UseSetting("Gateway:Routing:ConnectTimeout", "00:00:05");
        foreach ((string key, string? value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        builder.UseEnvironment("Production");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug).AddFilter("Yarp.ReverseProxy.Forwarder", LogLevel.Debug).AddFilter("Yarp.ReverseProxy.Health", LogLevel.Debug));
        if (services is not null)
        {
            builder.ConfigureTestServices(services);
        }
    }
}
