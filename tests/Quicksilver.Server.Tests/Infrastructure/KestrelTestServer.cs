using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>A <see cref="QuicksilverApiFactory"/> listening on a real Kestrel loopback port, for clients that need a socket.</summary>
/// <param name="Factory">The server.</param>
/// <param name="Address">Its base address, e.g. <c>http://127.0.0.1:41234</c>.</param>
public sealed record KestrelTestServer(QuicksilverApiFactory Factory, Uri Address) : IAsyncDisposable
{
    /// <summary>Starts <paramref name="factory"/> on an ephemeral port and waits until <c>/health/ready</c> says the model is loaded.</summary>
    public static async Task<KestrelTestServer> StartAsync(QuicksilverApiFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        factory.UseKestrel(0);
        factory.StartServer();
        string address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var server = new KestrelTestServer(factory, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
        using var client = new HttpClient { BaseAddress = server.Address };
        await QuicksilverApiFactory.WaitUntilReadyAsync(client);
        return server;
    }

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
