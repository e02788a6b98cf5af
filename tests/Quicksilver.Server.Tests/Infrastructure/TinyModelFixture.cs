using Quicksilver.Engine.Models;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// REAL ENGINE: the server as deployed, nothing replaced: <c>Quicksilver:ModelPath</c> names a
/// <see cref="TinyModelFolder"/> and the server's own loader wiring loads it on the CPU backend.
/// </summary>
public class TinyModelFixture : IApiFixture, IAsyncLifetime
{
    private readonly TinyModelFolder folder;

    public TinyModelFixture()
        : this(new Dictionary<string, string?>())
    {
    }

    /// <summary>The same server with <paramref name="settings"/> added to its configuration, on a model of <paramref name="architecture"/>.</summary>
    protected TinyModelFixture(IReadOnlyDictionary<string, string?> settings, ModelArchitecture architecture = ModelArchitecture.LLaDA)
    {
        folder = TinyModelFolder.Create(architecture: architecture);
        var all = new Dictionary<string, string?>(settings)
        {
            ["Quicksilver:ModelPath"] = folder.Folder,
            ["Quicksilver:Engine:Backend"] = "cpu",
            ["Quicksilver:Engine:Threads"] = "1",
        };
        Factory = new QuicksilverApiFactory(model: null, settings: all);
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
