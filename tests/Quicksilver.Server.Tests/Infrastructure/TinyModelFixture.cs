namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// REAL ENGINE: the server as deployed, nothing replaced: <c>Quicksilver:ModelPath</c> names a
/// <see cref="TinyModelFolder"/> and the server's own loader wiring loads it on the CPU backend.
/// </summary>
public sealed class TinyModelFixture : IApiFixture, IAsyncLifetime
{
    private readonly TinyModelFolder folder = TinyModelFolder.Create();

    public TinyModelFixture()
    {
        Factory = new QuicksilverApiFactory(
            model: null,
            settings: new Dictionary<string, string?>
            {
                ["Quicksilver:ModelPath"] = folder.Folder,
                ["Quicksilver:Engine:Backend"] = "cpu",
                ["Quicksilver:Engine:Threads"] = "1",
            });
    }

    public QuicksilverApiFactory Factory { get; }

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync() => Client = await Factory.CreateReadyClientAsync();

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        folder.Dispose();
    }
}
