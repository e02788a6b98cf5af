namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// REAL ENGINE, REAL MODEL FOLDER: the server as deployed on the committed model <c>models/quicksilver-tiny</c>
/// (random weights, but its real tokenizer and its LLaMA-3 chat template), loaded by the server's own loader wiring
/// (<c>ServedModelLoader</c>) on the CPU backend.
/// </summary>
public sealed class EmbeddedModelFixture : IApiFixture, IAsyncLifetime
{
    public const string ModelId = "quicksilver-tiny";

    public QuicksilverApiFactory Factory { get; } = Create();

    public HttpClient Client { get; private set; } = null!;

    /// <summary>A server on the embedded model, not started yet.</summary>
    public static QuicksilverApiFactory Create() => new(
        model: null,
        settings: new Dictionary<string, string?>
        {
            ["Quicksilver:ModelPath"] = RepositoryFolders.EmbeddedModel,
            ["Quicksilver:Engine:Backend"] = "cpu",
            ["Quicksilver:Engine:Threads"] = "1",
        });

    public async Task InitializeAsync() => Client = await Factory.CreateReadyClientAsync();

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}
