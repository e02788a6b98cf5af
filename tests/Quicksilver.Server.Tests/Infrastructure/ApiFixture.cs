namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>A server on <see cref="TestModel"/>, shared by the tests of a class, with a client once it is ready.</summary>
public sealed class ApiFixture : IAsyncLifetime
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
