using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Gateway.Options;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Tests.Infrastructure;
using Yarp.ReverseProxy.Configuration;

namespace Quicksilver.Gateway.Tests.Routing;

public sealed class HeadlessServiceResolverTests
{
    private static readonly DestinationConfig Service = new()
    {
        Address = "http://pods.ml.svc.cluster.local:8000",
        Metadata = new Dictionary<string, string> { [ModelRoutesConfigProvider.HeadlessServiceMetadata] = "pods.ml.svc.cluster.local" },
    };

    [Fact]
    public async Task Resolve_ExpandsTheServiceIntoOnePodPerAddress_AndKeepsStaticPods()
    {
        var lookup = new FakeLookup { Addresses = [IPAddress.Parse("10.0.0.9"), IPAddress.Parse("10.0.0.7"), IPAddress.Parse("fd00::1")] };
        var resolver = Resolver(lookup);

        var resolved = await resolver.ResolveDestinationsAsync(
            new Dictionary<string, DestinationConfig>
            {
                ["dns:pods"] = Service,
                ["http://10.1.1.1:8000"] = new() { Address = "http://10.1.1.1:8000" },
            },
            CancellationToken.None);

        Assert.Equal(
            ["http://10.0.0.7:8000", "http://10.0.0.9:8000", "http://10.1.1.1:8000", "http://[fd00::1]:8000"],
            resolved.Destinations.Values.Select(d => d.Address).Order(StringComparer.Ordinal));
        Assert.Contains("pods.ml.svc.cluster.local[10.0.0.7]", resolved.Destinations.Keys);
        Assert.NotNull(resolved.ChangeToken);
    }

    [Fact]
    public async Task Resolve_NameThatDoesNotResolve_YieldsNoPodInsteadOfFailing()
    {
        var resolver = Resolver(new FakeLookup { Failure = new SocketException((int)SocketError.HostNotFound) });

        var resolved = await resolver.ResolveDestinationsAsync(new Dictionary<string, DestinationConfig> { ["dns:pods"] = Service }, CancellationToken.None);

        Assert.Empty(resolved.Destinations);
        Assert.NotNull(resolved.ChangeToken);
    }

    [Fact]
    public async Task Resolve_OnlyStaticPods_NeedsNoRefresh()
    {
        var resolved = await Resolver(new FakeLookup()).ResolveDestinationsAsync(
            new Dictionary<string, DestinationConfig> { ["p"] = new() { Address = "http://10.1.1.1:8000" } },
            CancellationToken.None);

        Assert.Single(resolved.Destinations);
        Assert.Null(resolved.ChangeToken);
    }

    private static HeadlessServiceResolver Resolver(IHostAddressLookup lookup) =>
        new(lookup, new StaticOptionsMonitor<RoutingOptions>(new RoutingOptions()), NullLogger<HeadlessServiceResolver>.Instance);

    internal sealed class FakeLookup : IHostAddressLookup
    {
        public IPAddress[] Addresses { get; set; } = [];

        public Exception? Failure { get; set; }

        public Task<IPAddress[]> LookupAsync(string host, CancellationToken cancellationToken) =>
            Failure is null ? Task.FromResult(Addresses) : Task.FromException<IPAddress[]>(Failure);
    }
}
