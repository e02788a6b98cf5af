using Quicksilver.Server.Tests.Fakes;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>A server on the fake engine whose model has a chat template (<see cref="FakeChatModel"/>).</summary>
public sealed class FakeChatModelFixture : IApiFixture, IAsyncLifetime
{
    public QuicksilverApiFactory Factory { get; } = new(FakeChatModel.Create());

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync() => Client = await Factory.CreateReadyClientAsync();

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}
