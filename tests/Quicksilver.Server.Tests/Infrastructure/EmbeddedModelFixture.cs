namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// REAL ENGINE, REAL MODEL FOLDER: the server as deployed on the committed model <c>models/quicksilver-tiny</c>
/// (random weights, but its real tokenizer and its LLaMA-3 chat template), loaded by the server's own loader wiring
/// (<c>ServedModelLoader</c>) on the CPU backend.
/// </summary>
public class EmbeddedModelFixture : IApiFixture, IAsyncLifetime
{
    public const string ModelId = "quicksilver-tiny";

    public EmbeddedModelFixture()
        : this(new Dictionary<string, string?>())
    {
    }

    /// <param name="settings">Configuration on top of the embedded model's (a price, a gateway key …).</param>
    protected EmbeddedModelFixture(IReadOnlyDictionary<string, string?> settings) => Factory = Create(settings);

    public QuicksilverApiFactory Factory { get; }

    public HttpClient Client { get; private set; } = null!;

    /// <summary>A server on the embedded model, not started yet, with <paramref name="settings"/> on top.</summary>
    public static QuicksilverApiFactory Create(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Quicksilver:ModelPath"] = RepositoryFolders.EmbeddedModel,
            ["Quicksilver:Engine:Backend"] = "cpu",
            ["Quicksilver:Engine:Threads"] = "1",
        };
        foreach ((string key, string? value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new(model: null, settings: all);
    }

    public async Task InitializeAsync() => Client = await Factory.CreateReadyClientAsync();

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}
