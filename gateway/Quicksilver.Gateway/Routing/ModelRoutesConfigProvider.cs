using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Quicksilver.Gateway.Options;
using Quicksilver.Gateway.Relay;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// YARP's routes and clusters, built from <see cref="GatewayOptions"/> and <see cref="RoutingOptions"/> (and rebuilt
/// when configuration reloads): one route and one cluster per model. The route matches a <c>POST</c> whose body named
/// the model (<see cref="PodHeaders.Model"/>, which only <see cref="ModelRoutingMiddleware"/> sets, for the pods'
/// endpoints); the cluster holds the model's pods, balanced by
/// <see cref="LoadAwareBalancingPolicy"/>, checked on <c>/health/ready</c> (<see cref="PodReadiness"/> judges the
/// checks), ejected on transport failures, with the activity timeout and the request
/// deadline set for long generations.
/// </summary>
internal sealed class ModelRoutesConfigProvider : IProxyConfigProvider, IDisposable
{
    /// <summary>Destination metadata marking a headless Service name for <see cref="HeadlessServiceResolver"/>.</summary>
    public const string HeadlessServiceMetadata = "quicksilver.headless-service";

    private readonly IOptionsMonitor<GatewayOptions> _gateway;
    private readonly IOptionsMonitor<RoutingOptions> _routing;
    private readonly IDisposable? _gatewayChanges;
    private readonly IDisposable? _routingChanges;
    private volatile Snapshot _snapshot;

    public ModelRoutesConfigProvider(IOptionsMonitor<GatewayOptions> gateway, IOptionsMonitor<RoutingOptions> routing)
    {
        _gateway = gateway;
        _routing = routing;
        _snapshot = Build();
        _gatewayChanges = gateway.OnChange(_ => Rebuild());
        _routingChanges = routing.OnChange(_ => Rebuild());
    }

    public IProxyConfig GetConfig() => _snapshot;

    public void Dispose()
    {
        _gatewayChanges?.Dispose();
        _routingChanges?.Dispose();
        _snapshot.Dispose();
    }

    /// <summary>The route id of <paramref name="model"/>'s route; also its cluster id.</summary>
    public static string ClusterId(string model) => $"model:{model}";

    private void Rebuild()
    {
        Snapshot previous = _snapshot;
        _snapshot = Build();
        previous.SignalChange();
        previous.Dispose();
    }

    private Snapshot Build()
    {
        RoutingOptions routing = _routing.CurrentValue;
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        foreach ((string model, ModelPodsOptions pods) in _gateway.CurrentValue.Models)
        {
            string id = ClusterId(model);
            routes.Add(new RouteConfig
            {
                RouteId = id,
                ClusterId = id,
                Timeout = routing.RequestTimeout,
                Match = new RouteMatch
                {
                    Path = "/{**rest}",
                    Methods = ["POST"],
                    Headers = [new RouteHeader { Name = PodHeaders.Model, Values = [model], Mode = HeaderMatchMode.ExactHeader, IsCaseSensitive = true }],
                },
            });
            clusters.Add(new ClusterConfig
            {
                ClusterId = id,
                LoadBalancingPolicy = LoadAwareBalancingPolicy.PolicyName,
                Destinations = Destinations(pods),
                HealthCheck = new HealthCheckConfig
                {
                    AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyAndUnknown,
                    Active = new ActiveHealthCheckConfig
                    {
                        Enabled = true,
                        Interval = routing.HealthCheckInterval,
                        Timeout = routing.ProbeTimeout,
                        Policy = PodReadiness.PolicyName,
                        Path = "/health/ready",
                    },
                    Passive = new PassiveHealthCheckConfig
                    {
                        Enabled = true,
                        Policy = TransportFailurePolicy.PolicyName,
                        ReactivationPeriod = routing.EjectionPeriod,
                    },
                },
                HttpRequest = new ForwarderRequestConfig { ActivityTimeout = routing.ActivityTimeout, AllowResponseBuffering = false },
            });
        }

        return new Snapshot(routes, clusters);
    }

    private static Dictionary<string, DestinationConfig> Destinations(ModelPodsOptions pods)
    {
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        foreach (string address in pods.Pods)
        {
            destinations[address] = new DestinationConfig { Address = address };
        }

        if (pods.HeadlessService is { Length: > 0 } service)
        {
            destinations[$"dns:{service}"] = new DestinationConfig
            {
                Address = $"{pods.PodScheme}://{service}:{pods.PodPort}",
                Metadata = new Dictionary<string, string> { [HeadlessServiceMetadata] = service },
            };
        }

        return destinations;
    }

    private sealed class Snapshot(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters) : IProxyConfig, IDisposable
    {
        private readonly CancellationTokenSource _changed = new();

        public IReadOnlyList<RouteConfig> Routes => routes;

        public IReadOnlyList<ClusterConfig> Clusters => clusters;

        public IChangeToken ChangeToken => new CancellationChangeToken(_changed.Token);

        public void SignalChange() => _changed.Cancel();

        public void Dispose() => _changed.Dispose();
    }
}
