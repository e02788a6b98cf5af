using Quicksilver.Server.Tests.Fakes;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// FAKE ENGINE: a server on <see cref="FakeChatModel"/> whose tokenizer puts <see cref="Bos"/> before and
/// <see cref="Eos"/> after a text it encodes with special tokens (as LLaMA's puts its BOS), recording what reaches the
/// engine.
/// </summary>
internal sealed class SpecialTokensChatServer : IAsyncDisposable
{
    public static readonly int Bos = FakeServedModel.Tokenizer.Encode("[")[0];
    public static readonly int Eos = FakeServedModel.Tokenizer.Encode("]")[0];

    private readonly QuicksilverApiFactory factory;

    private SpecialTokensChatServer(FakeGenerationEngine engine, QuicksilverApiFactory factory, HttpClient client)
    {
        Engine = engine;
        this.factory = factory;
        Client = client;
    }

    public FakeGenerationEngine Engine { get; }

    public HttpClient Client { get; }

    public static async Task<SpecialTokensChatServer> StartAsync()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine();
        var factory = new QuicksilverApiFactory(FakeChatModel.Create(engine) with { PromptSpecialTokens = new([Bos], [Eos]) });
        return new SpecialTokensChatServer(engine, factory, await factory.CreateReadyClientAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await factory.DisposeAsync();
    }
}
