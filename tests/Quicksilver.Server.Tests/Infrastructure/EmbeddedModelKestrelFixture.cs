using System.Text.Json.Nodes;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// REAL ENGINE over a real socket: the embedded model (<see cref="EmbeddedModelFixture.Create"/>) served on a Kestrel
/// loopback port, for the official client libraries.
/// </summary>
public sealed class EmbeddedModelKestrelFixture : IAsyncLifetime
{
    /// <summary>The answer length the client tests ask for.</summary>
    public const int MaxTokens = 16;

    public KestrelTestServer Server { get; private set; } = null!;

    /// <summary>The base address OpenAI clients take as their endpoint: the server's <c>/v1</c>.</summary>
    public Uri Endpoint => new(Server.Address, "/v1");

    /// <summary>Prompt tokens of <see cref="ChatConversation"/>: the embedded model's template rendering, tokenised.</summary>
    public int PromptTokens => Server.Factory.Model.Tokenizer.Encode(ChatConversation.RenderedPrompt).Count;

    public async Task InitializeAsync() => Server = await KestrelTestServer.StartAsync(EmbeddedModelFixture.Create());

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary><see cref="ChatConversation"/> over plain HTTP, greedy: (content, finish_reason, prompt, completion tokens).</summary>
    public async Task<(string Content, string FinishReason, int Prompt, int Completion)> CompleteOverHttpAsync()
    {
        using var client = new HttpClient { BaseAddress = Server.Address };
        using HttpResponseMessage response = await client.PostChatCompletionAsync(new JsonObject
        {
            ["model"] = EmbeddedModelFixture.ModelId,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = ChatConversation.System },
                new JsonObject { ["role"] = "user", ["content"] = ChatConversation.User }),
            ["max_completion_tokens"] = MaxTokens,
            ["temperature"] = 0,
        });
        JsonObject completion = await response.ReadJsonObjectAsync();
        (string content, string finish) = ChatAssert.Choice(completion["choices"]![0]);
        (int prompt, int generated) = OpenAIAssert.Usage(completion["usage"]);
        return (content, finish, prompt, generated);
    }
}
