using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Quicksilver.Gateway.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Expands each headless-Service destination into one destination per address its name resolves to, and asks YARP
/// to resolve again every <see cref="RoutingOptions.DnsRefreshInterval"/>: pods that scale in or out join or leave the
/// cluster without a restart, and a pod keeps its health and load state across refreshes (its destination id is the
/// address). Unlike YARP's own DNS resolver, a name that does not resolve — a Service with no ready pod yet, which
/// Kubernetes DNS answers with NXDOMAIN — yields no destination instead of failing the gateway's start.
/// </summary>
internal sealed partial class HeadlessServiceResolver(IHostAddressLookup lookup, IOptionsMonitor<RoutingOptions> options, ILogger<HeadlessServiceResolver> logger) : IDestinationResolver
{
    public async ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(IReadOnlyDictionary<string, DestinationConfig> destinations, CancellationToken cancellationToken)
    {
        var resolved = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        bool any = false;
        foreach ((string id, DestinationConfig destination) in destinations)
        {
            if (destination.Metadata?.GetValueOrDefault(ModelRoutesConfigProvider.HeadlessServiceMetadata) is not { } service)
            {
                resolved[id] = destination;
                continue;
            }

            any = true;
            foreach (IPAddress address in await LookupAsync(service, cancellationToken))
            {
                var pod = new UriBuilder(destination.Address) { Host = address.ToString() };
                resolved[$"{service}[{address}]"] = destination with { Address = pod.Uri.ToString().TrimEnd('/'), Host = null };
            }
        }

        IChangeToken? refresh = any ? new CancellationChangeToken(new CancellationTokenSource(options.CurrentValue.DnsRefreshInterval).Token) : null;
        return new ResolvedDestinationCollection(resolved, refresh);
    }

    private async Task<IPAddress[]> LookupAsync(string service, CancellationToken cancellationToken)
    {
        try
        {
            IPAddress[] addresses = await lookup.LookupAsync(service, cancellationToken);
            return [.. addresses.Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6).Distinct().Order(AddressOrder.Instance)];
        }
        catch (SocketException exception)
        {
            LogLookupFailed(logger, service, exception.Message);
            return [];
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Headless Service {Service} did not resolve ({Problem}); it has no pods until it does.")]
    private static partial void LogLookupFailed(ILogger logger, string service, string problem);

    private sealed class AddressOrder : IComparer<IPAddress>
    {
        public static AddressOrder Instance { get; } = new();

        public int Compare(IPAddress? x, IPAddress? y) => string.CompareOrdinal(x?.ToString(), y?.ToString());
    }
}
