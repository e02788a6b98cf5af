using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// FAKE ENGINE: a completions prompt's text gets the model's special tokens (as Hugging Face's <c>tokenizer(text)</c>
/// and vLLM put them), and the usage counts them; a prompt of token ids reaches the engine as it is. A chat's rendered
/// conversation gets them only with <c>add_special_tokens: true</c> (vLLM's chat default is false: the template
/// writes its own).
/// </summary>
[Trait("Engine", "Fake")]
public sealed class PromptSpecialTokensApiTests : IAsyncLifetime
{
    private static readonly int Bos = SpecialTokensChatServer.Bos;
    private static readonly int Eos = SpecialTokensChatServer.Eos;
    private SpecialTokensChatServer server = null!;

    public async Task InitializeAsync() => server = await SpecialTokensChatServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task CreateCompletion_TextPrompt_ReachesTheEngineBetweenTheSpecialTokens_AndTheUsageCountsThem()
    {
        using HttpResponseMessage response = await server.Client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hi", ["max_tokens"] = 8, ["echo"] = true });
        JsonObject completion = await response.ReadJsonObjectAsync();

        Assert.Equal([Bos, .. FakeServedModel.Tokenizer.Encode("Say hi"), Eos], server.Engine.LastRequest.PromptTokens);
        Assert.Equal(8, (int?)completion["usage"]!["prompt_tokens"]);
        Assert.StartsWith("Say hi", (string?)completion["choices"]![0]!["text"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateCompletion_TextPromptWithASuffix_TheTokensAfterTheTextFollowTheSuffix()
    {
        using HttpResponseMessage response = await server.Client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say", ["suffix"] = "bye", ["max_tokens"] = 8 });
        JsonObject completion = await response.ReadJsonObjectAsync();

        Assert.Equal([Bos, .. FakeServedModel.Tokenizer.Encode("Say")], server.Engine.LastRequest.PromptTokens);
        Assert.Equal([.. FakeServedModel.Tokenizer.Encode("bye"), Eos], server.Engine.LastRequest.SuffixTokens);
        Assert.Equal(8, (int?)completion["usage"]!["prompt_tokens"]);
    }

    [Fact]
    public async Task CreateCompletion_AddSpecialTokensFalse_SendsTheTextAlone()
    {
        using HttpResponseMessage response = await server.Client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hi", ["max_tokens"] = 8, ["add_special_tokens"] = false });
        using HttpResponseMessage wrongType = await server.Client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hi", ["add_special_tokens"] = "no" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeServedModel.Tokenizer.Encode("Say hi"), server.Engine.LastRequest.PromptTokens);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Equal("add_special_tokens", (string?)(await wrongType.ReadJsonObjectAsync())["error"]!["param"]);
    }

    [Fact]
    public async Task CreateCompletion_TokenIdPrompt_ReachesTheEngineAsItIs()
    {
        using HttpResponseMessage response = await server.Client.PostCompletionAsync(new JsonObject { ["prompt"] = new JsonArray(40, 41), ["max_tokens"] = 8 });
        JsonObject completion = await response.ReadJsonObjectAsync();

        Assert.Equal([40, 41], server.Engine.LastRequest.PromptTokens);
        Assert.Equal(2, (int?)completion["usage"]!["prompt_tokens"]);
    }

    [Fact]
    public async Task CreateChatCompletion_AddSpecialTokens_PutsThemAroundTheRenderedConversationOnlyWhenTrue()
    {
        using HttpResponseMessage plain = await server.Client.PostChatCompletionAsync(Chat());
        IReadOnlyList<int> rendered = server.Engine.LastRequest.PromptTokens;
        JsonObject withTokens = Chat();
        withTokens["add_special_tokens"] = true;
        using HttpResponseMessage added = await server.Client.PostChatCompletionAsync(withTokens);
        IReadOnlyList<int> wrapped = server.Engine.LastRequest.PromptTokens;
        JsonObject wrongType = Chat();
        wrongType["add_special_tokens"] = 1;
        using HttpResponseMessage refused = await server.Client.PostChatCompletionAsync(wrongType);

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(FakeServedModel.Tokenizer.Encode(FakeChatModel.Template.Render([new("user", "Say hi")], addGenerationPrompt: true)), rendered);
        Assert.Equal(rendered.Count, (int?)(await plain.ReadJsonObjectAsync())["usage"]!["prompt_tokens"]);
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal([Bos, .. rendered, Eos], wrapped);
        Assert.Equal(rendered.Count + 2, (int?)(await added.ReadJsonObjectAsync())["usage"]!["prompt_tokens"]);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("add_special_tokens", (string?)(await refused.ReadJsonObjectAsync())["error"]!["param"]);
    }

    private static JsonObject Chat() => new()
    {
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Say hi" }),
        ["max_tokens"] = 8,
    };
}
