namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>A server on <see cref="TestModel"/> (the fake engine for now), with a client once it is ready.</summary>
public sealed class ApiFixture : IApiFixture, IAsyncLifetime
{
    public QuicksilverApiFactory Factory { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync() => Client = await Factory.CreateReadyClientAsync();

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}
