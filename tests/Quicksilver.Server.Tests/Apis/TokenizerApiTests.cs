using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// FAKE ENGINE: vLLM's <c>POST /tokenize</c> gives exactly the ids the generation endpoints hand the engine for the
/// same prompt (a completion's text with the model's special tokens, a chat rendered by its template), and
/// <c>POST /detokenize</c> turns ids back into text; every mistake is a 400 naming the field.
/// </summary>
[Trait("Engine", "Fake")]
public sealed class TokenizerApiTests : IAsyncLifetime
{
    private SpecialTokensChatServer server = null!;

    public async Task InitializeAsync() => server = await SpecialTokensChatServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Tokenize_Prompt_GivesTheIdsACompletionOfItStartsFrom(bool? addSpecialTokens)
    {
        var body = new JsonObject { ["prompt"] = "Say hi" };
        var completion = new JsonObject { ["prompt"] = "Say hi", ["max_tokens"] = 4 };
        if (addSpecialTokens is { } add)
        {
            body["add_special_tokens"] = add;
            completion["add_special_tokens"] = add;
        }

        JsonObject tokenized = await OkAsync("/tokenize", body);
        using HttpResponseMessage generated = await server.Client.PostCompletionAsync(completion);

        Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
        Assert.Equal(server.Engine.LastRequest.PromptTokens, Ids(tokenized["tokens"]));
        Assert.Equal(addSpecialTokens == false ? 6 : 8, (int?)tokenized["count"]);
        Assert.Equal((int?)(await generated.ReadJsonObjectAsync())["usage"]!["prompt_tokens"], (int?)tokenized["count"]);
        Assert.Equal(FakeChatModel.ContextLength, (int?)tokenized["max_model_len"]);
        Assert.Null(tokenized["token_strs"]);
        Assert.True(tokenized.ContainsKey("token_strs"));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"add_special_tokens\":true}")]
    [InlineData("{\"add_generation_prompt\":false}")]
    [InlineData("{\"add_generation_prompt\":false,\"continue_final_message\":true}")]
    [InlineData("{\"chat_template_kwargs\":{\"a\":1,\"a\":2,\"b\":{\"c\":[1],\"c\":null}}}")] // a repeated name keeps its last value, as in Python
    [InlineData("{\"chat_template_kwargs\":{\"tools\":[],\"documents\":null}}")] // no tools to describe
    public async Task Tokenize_Messages_GivesTheIdsAChatCompletionOfThemStartsFrom(string fields)
    {
        JsonObject body = JsonNode.Parse(fields)!.AsObject();
        body["messages"] = new JsonArray(
            new JsonObject { ["role"] = "user", ["content"] = "Say hi" },
            new JsonObject { ["role"] = "assistant", ["content"] = "Hi" });
        JsonObject chat = body.DeepClone().AsObject();
        chat["max_completion_tokens"] = 4;

        JsonObject tokenized = await OkAsync("/tokenize", body);
        using HttpResponseMessage generated = await server.Client.PostChatCompletionAsync(chat);

        Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
        Assert.Equal(server.Engine.LastRequest.PromptTokens, Ids(tokenized["tokens"]));
        Assert.Equal(server.Engine.LastRequest.PromptTokens.Count, (int?)tokenized["count"]);
    }

    [Fact]
    public async Task Tokenize_ReturnTokenStrs_GivesEachIdsText()
    {
        JsonObject tokenized = await OkAsync("/tokenize", new JsonObject { ["prompt"] = "ok", ["return_token_strs"] = true });

        Assert.Equal(["[", "o", "k", "]"], tokenized["token_strs"]!.AsArray().Select(s => (string?)s));
    }

    [Fact]
    public async Task Detokenize_TheIdsOfAPrompt_GivesItsText()
    {
        JsonObject tokenized = await OkAsync("/tokenize", new JsonObject { ["prompt"] = "Say hi", ["add_special_tokens"] = false });
        JsonObject detokenized = await OkAsync("/detokenize", new JsonObject { ["tokens"] = tokenized["tokens"]!.DeepClone(), ["model"] = FakeServedModel.Id });

        Assert.Equal("Say hi", (string?)detokenized["prompt"]);
        Assert.Single(detokenized);
    }

    [Fact]
    public async Task EmptyModel_IsTheServedModel_AsInVllm()
    {
        JsonObject tokenized = await OkAsync("/tokenize", new JsonObject { ["prompt"] = "ok", ["model"] = string.Empty });
        using HttpResponseMessage completion = await server.Client.PostCompletionAsync(new JsonObject { ["prompt"] = "ok", ["model"] = string.Empty, ["max_tokens"] = 2 });

        Assert.Equal(4, (int?)tokenized["count"]);
        Assert.Equal(HttpStatusCode.OK, completion.StatusCode);
    }

    [Fact]
    public async Task Detokenize_NoIds_IsTheEmptyText()
    {
        JsonObject detokenized = await OkAsync("/detokenize", new JsonObject { ["tokens"] = new JsonArray() });

        Assert.Equal(string.Empty, (string?)detokenized["prompt"]);
    }

    [Theory]
    [InlineData("/tokenize", "{}", "prompt")]
    [InlineData("/tokenize", "{\"prompt\":7}", "prompt")]
    [InlineData("/tokenize", "{\"prompt\":[1,2]}", "prompt")]
    [InlineData("/tokenize", "{\"prompt\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}", "messages")]
    [InlineData("/tokenize", "{\"messages\":[]}", "messages")]
    [InlineData("/tokenize", "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"add_generation_prompt\":true,\"continue_final_message\":true}", "continue_final_message")]
    [InlineData("/tokenize", "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"chat_template_kwargs\":5}", "chat_template_kwargs")]
    [InlineData("/tokenize", "{\"messages\":[{\"role\":\"user\",\"content\":\"a\",\"name\":7}]}", "messages[0].name")]
    [InlineData("/tokenize", "{\"prompt\":\"a\",\"add_special_tokens\":\"yes\"}", "add_special_tokens")]
    [InlineData("/tokenize", "{\"prompt\":\"a\",\"return_token_strs\":1}", "return_token_strs")]
    [InlineData("/tokenize", "{\"prompt\":\"a\",\"model\":3}", "model")]
    [InlineData("/detokenize", "{}", "tokens")]
    [InlineData("/detokenize", "{\"tokens\":\"abc\"}", "tokens")]
    [InlineData("/detokenize", "{\"tokens\":[1,2.5]}", "tokens")]
    [InlineData("/detokenize", "{\"tokens\":[1,-1]}", "tokens")]
    [InlineData("/detokenize", "{\"tokens\":[1,100000]}", "tokens")]
    public async Task BadBody_Is400NamingTheField(string path, string body, string param)
    {
        using HttpResponseMessage response = await PostAsync(path, body);
        JsonObject error = (await response.ReadJsonObjectAsync())["error"]!.AsObject();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BadRequestError", (string?)error["type"]);
        Assert.Equal(param, (string?)error["param"]);
    }

    [Theory]
    [InlineData("/tokenize", "{\"prompt\":\"a\",\"model\":\"other\"}", HttpStatusCode.NotFound)]
    [InlineData("/detokenize", "{\"tokens\":[1],\"model\":\"other\"}", HttpStatusCode.NotFound)]
    [InlineData("/tokenize", "[1]", HttpStatusCode.BadRequest)]
    [InlineData("/detokenize", "not json", HttpStatusCode.BadRequest)]
    public async Task WrongModelOrNoJsonObject_IsAnOpenAIError(string path, string body, HttpStatusCode status)
    {
        using HttpResponseMessage response = await PostAsync(path, body);

        Assert.Equal(status, response.StatusCode);
        Assert.NotNull((await response.ReadJsonObjectAsync())["error"]!["message"]);
    }

    [Fact]
    public async Task Tokenize_NotJson_Is415()
    {
        using var content = new StringContent("{\"prompt\":\"a\"}", Encoding.UTF8, "text/plain");
        using HttpResponseMessage response = await server.Client.PostAsync(new Uri("/tokenize", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.NotNull((await response.ReadJsonObjectAsync())["error"]);
    }

    [Fact]
    public async Task Tokenize_TakesNoEngineWork()
    {
        int before = server.Engine.Requests.Count;

        await OkAsync("/tokenize", new JsonObject { ["prompt"] = "Say hi" });
        await OkAsync("/detokenize", new JsonObject { ["tokens"] = new JsonArray(70, 71) });

        Assert.Equal(before, server.Engine.Requests.Count);
    }

    private static int[] Ids(JsonNode? array) => [.. array!.AsArray().Select(id => (int)id!)];

    private async Task<JsonObject> OkAsync(string path, JsonObject body)
    {
        using HttpResponseMessage response = await PostAsync(path, body.ToJsonString());
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await server.Client.PostAsync(new Uri(path, UriKind.Relative), content);
    }
}
