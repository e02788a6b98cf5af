using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>Three real pods behind the real gateway, shared by the tests that leave them as they found them.</summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public Platform Platform { get; private set; } = null!;

    public async Task InitializeAsync() => Platform = await Platform.StartAsync(podCount: 3);

    public async Task DisposeAsync() => await Platform.DisposeAsync();
}
