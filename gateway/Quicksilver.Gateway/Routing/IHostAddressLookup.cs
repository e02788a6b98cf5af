using System.Net;

namespace Quicksilver.Gateway.Routing;

/// <summary>Resolves a host name to addresses (DNS in production; a fake in tests).</summary>
internal interface IHostAddressLookup
{
    Task<IPAddress[]> LookupAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system resolver: a headless Service's name resolves to one A/AAAA record per ready pod.</summary>
internal sealed class DnsHostAddressLookup : IHostAddressLookup
{
    public Task<IPAddress[]> LookupAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}
