using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// FAKE ENGINE, Dream's chat template: tools offered to a model whose template describes them reach its prompt, and
/// calls it writes in Hermes' syntax come back as OpenAI's <c>tool_calls</c>, whole and streamed, and through the
/// official .NET SDK. The fake engine's answer is the model's text, released eight bytes a block, so the
/// <c>&lt;tool_call&gt;</c> marker falls across blocks.
/// </summary>
[Trait("Engine", "Fake")]
public sealed class ChatToolCallsTests
{
    private const string Call = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"C\"}}\n</tool_call>";
    private const string Arguments = "{\"city\": \"Paris\", \"unit\": \"C\"}";
    private const string Before = "Let me check the weather.\n";

    private const string WeatherTool = """
        {"type": "function", "function": {"name": "get_weather", "description": "Current weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
        """;

    [Fact]
    public async Task CreateChatCompletion_ModelCallsATool_MessageHasTheCallAndTheTextBefore()
    {
        await using var server = await ToolServer.StartAsync(Before + Call);

        using HttpResponseMessage response = await server.Client.PostChatCompletionAsync(Body());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonObject completion = await response.ReadJsonObjectAsync();
        JsonObject choice = ChatAssert.Envelope(completion, FakeServedModel.Id)[0]!.AsObject();
        Assert.Equal("tool_calls", choice["finish_reason"]!.GetValue<string>());
        JsonObject message = choice["message"]!.AsObject();
        Assert.Equal(["role", "content", "tool_calls"], message.Select(p => p.Key));
        Assert.Equal(Before, message["content"]!.GetValue<string>());
        JsonObject call = Assert.Single(message["tool_calls"]!.AsArray())!.AsObject();
        Assert.Equal(["id", "type", "function"], call.Select(p => p.Key));
        Assert.Matches("^call_[0-9a-f]{24}$", call["id"]!.GetValue<string>());
        Assert.Equal("function", call["type"]!.GetValue<string>());
        JsonObject function = call["function"]!.AsObject();
        Assert.Equal(["name", "arguments"], function.Select(p => p.Key));
        Assert.Equal(("get_weather", Arguments), (function["name"]!.GetValue<string>(), function["arguments"]!.GetValue<string>()));
        Assert.Equal(server.Engine.ExpectedCompletionTokens(256), OpenAIAssert.Usage(completion["usage"]).Completion);
    }

    [Fact]
    public async Task CreateChatCompletion_ToolsOffered_ThePromptDescribesThemAsTheTemplateDoes()
    {
        await using var server = await ToolServer.StartAsync(Before + Call);

        using HttpResponseMessage response = await server.Client.PostChatCompletionAsync(Body());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.\n\n# Tools\n\n<tools>\n" +
            "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Current weather\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}\n" +
            "</tools><|im_end|>\n<|im_start|>user\nWeather in Paris?<|im_end|>\n<|im_start|>assistant\n",
            server.Prompt);
    }

    [Fact]
    public async Task CreateChatCompletion_Streamed_TextComesAsItIsFinalAndTheCallWholeOnTheLastChunk()
    {
        await using var server = await ToolServer.StartAsync(Before + Call);
        JsonObject body = Body();
        body["stream"] = true;

        using HttpResponseMessage response = await server.Client.PostChatCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        List<JsonObject> chunks = [.. ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()).Select(e => JsonNode.Parse(e)!.AsObject())];
        List<JsonObject> choices = [.. chunks.Select(c => c["choices"]![0]!.AsObject())];
        Assert.Equal("""{"role":"assistant","content":""}""", choices[0]["delta"]!.ToJsonString());
        List<JsonObject> text = choices[1..^1];
        Assert.True(text.Count > 1, "the text before the call comes in several chunks");
        Assert.All(text, c => Assert.Equal(["content"], c["delta"]!.AsObject().Select(p => p.Key)));
        Assert.Equal(Before, string.Concat(text.Select(c => c["delta"]!["content"]!.GetValue<string>())));
        JsonObject last = choices[^1];
        Assert.Equal("tool_calls", last["finish_reason"]!.GetValue<string>());
        JsonObject call = Assert.Single(last["delta"]!["tool_calls"]!.AsArray())!.AsObject();
        Assert.Equal(["index", "id", "type", "function"], call.Select(p => p.Key));
        Assert.Equal(0, call["index"]!.GetValue<int>());
        Assert.Matches("^call_[0-9a-f]{24}$", call["id"]!.GetValue<string>());
        Assert.Equal("get_weather", call["function"]!["name"]!.GetValue<string>());
        Assert.Equal(Arguments, call["function"]!["arguments"]!.GetValue<string>());
        Assert.Null(last["delta"]!["content"]);
    }

    [Fact]
    public async Task CreateChatCompletion_StreamedAnswerThatIsOnlyACall_HeadersAndRoleComeWithTheFirstBlock()
    {
        await using var server = await ToolServer.StartAsync(Call, pauseAfterBlocks: 2);
        JsonObject body = Body();
        body["stream"] = true;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/chat/completions", UriKind.Relative))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };

        // Every block the engine releases before it pauses is held back (it is the call): the answer is not done.
        Task<HttpResponseMessage> sending = server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await server.Engine.Paused.Task.WaitAsync(TimeSpan.FromSeconds(30));
        bool headersWhilePaused = await Task.WhenAny(sending, Task.Delay(TimeSpan.FromSeconds(10))) == sending;
        server.Engine.Gate.SetResult();
        using HttpResponseMessage response = await sending;
        List<JsonObject> choices = [.. ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()).Select(e => JsonNode.Parse(e)!["choices"]![0]!.AsObject())];

        Assert.True(headersWhilePaused, "the headers waited for the whole answer");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, choices.Count);
        Assert.Equal("""{"role":"assistant","content":""}""", choices[0]["delta"]!.ToJsonString());
        Assert.Equal("tool_calls", choices[1]["finish_reason"]!.GetValue<string>());
        Assert.Equal(Arguments, choices[1]["delta"]!["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("\"\"", "{}")]
    [InlineData("null", "{}")]
    [InlineData("{\"city\": \"Paris\"}", "{\"city\": \"Paris\"}")]
    public async Task CreateChatCompletion_ReplayedCallWithEmptyOrObjectArguments_RenderedAsVllmReadsThem(string arguments, string rendered)
    {
        await using var server = await ToolServer.StartAsync("It is 20 °C in Paris.");
        JsonObject body = Body();
        body["messages"] = JsonNode.Parse($$$"""
            [
              {"role": "user", "content": "Weather in Paris?"},
              {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": {{{arguments}}}}}]},
              {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp\": 20}"}
            ]
            """);

        using HttpResponseMessage response = await server.Client.PostChatCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"<tool_call>\n{{\"name\": \"get_weather\", \"arguments\": {rendered}}}\n</tool_call>", server.Prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateChatCompletion_EmptyToolsInTemplateKwargs_TheTemplateSeesNone()
    {
        var template = Engine.Tokenization.ChatTemplates.JinjaChatTemplate.Parse(
            "{% if tools is not none %}TOOLS {% endif %}{% for m in messages %}{{ m.content }}{% endfor %}", new Dictionary<string, string>());
        await using var server = await ToolServer.StartAsync("Hi.", template);
        JsonObject body = Body();
        body.Remove("tools");
        body["chat_template_kwargs"] = new JsonObject { ["tools"] = new JsonArray() };

        using HttpResponseMessage response = await server.Client.PostChatCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Weather in Paris?", server.Prompt);
    }

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 1)]
    public async Task CreateChatCompletion_TwoCalls_ParallelToolCallsFalseKeepsTheFirst(bool parallel, int expected)
    {
        string second = Call.Replace("Paris", "Rome", StringComparison.Ordinal);
        await using var server = await ToolServer.StartAsync(Call + "\n" + second);
        JsonObject body = Body();
        body["parallel_tool_calls"] = parallel;

        using HttpResponseMessage response = await server.Client.PostChatCompletionAsync(body);

        JsonObject message = (await response.ReadJsonObjectAsync())["choices"]![0]!["message"]!.AsObject();
        Assert.Null(message["content"]);
        JsonArray calls = message["tool_calls"]!.AsArray();
        Assert.Equal(expected, calls.Count);
        Assert.Equal(Arguments, calls[0]!["function"]!["arguments"]!.GetValue<string>());
        Assert.Equal(calls.Count, calls.Select(c => c!["id"]!.GetValue<string>()).Distinct().Count());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateChatCompletion_CallThatIsNotJson_TheAnswerIsText(bool stream)
    {
        const string broken = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": </tool_call>";
        await using var server = await ToolServer.StartAsync(Before + broken);
        JsonObject body = Body();
        body["stream"] = stream;

        using HttpResponseMessage response = await server.Client.PostChatCompletionAsync(body);

        string content = stream
            ? string.Concat(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()).Select(e => JsonNode.Parse(e)!["choices"]![0]!["delta"]!["content"]?.GetValue<string>()))
            : (await response.ReadJsonObjectAsync())["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        Assert.Equal(Before + broken, content);
    }

    [Fact]
    public async Task CreateChatCompletion_ToolChoiceNone_NoToolsInThePromptAndTheCallStaysText()
    {
        await using var server = await ToolServer.StartAsync(Call);
        JsonObject body = Body();
        body["tool_choice"] = "none";

        using HttpResponseMessage response = await server.Client.PostChatCompletionAsync(body);

        Assert.Equal((Call, "stop"), ChatAssert.Choice((await response.ReadJsonObjectAsync())["choices"]![0]));
        Assert.DoesNotContain("<tools>", server.Prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateChatCompletion_ConversationWithACallAndItsAnswer_RendersBothAsTheTemplateDoes()
    {
        await using var server = await ToolServer.StartAsync("It is 20 °C in Paris.");
        JsonObject body = Body();
        body["messages"] = JsonNode.Parse("""
            [
              {"role": "user", "content": "Weather in Paris?"},
              {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\",\"days\":[1,2.5]}"}}]},
              {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp\": 20}"}
            ]
            """);

        using HttpResponseMessage response = await server.Client.PostChatCompletionAsync(body);

        Assert.Equal(("It is 20 °C in Paris.", "stop"), ChatAssert.Choice((await response.ReadJsonObjectAsync())["choices"]![0]));
        Assert.EndsWith(
            "<|im_start|>user\nWeather in Paris?<|im_end|>\n" +
            "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": [1, 2.5]}}\n</tool_call><|im_end|>\n" +
            "<|im_start|>user\n<tool_response>\n{\"temp\": 20}\n</tool_response><|im_end|>\n<|im_start|>assistant\n",
            server.Prompt,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateChatCompletion_ToolsForAModelWhoseTemplateHasNone_Returns400NamingTools()
    {
        await using var server = await ToolServer.StartAsync(Call, FakeChatModel.Template);

        using HttpResponseMessage response = await server.Client.PostChatCompletionAsync(Body());

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "tools");
        Assert.Equal(
            "The model `fake-tiny` cannot call tools: its chat template does not describe them to it. Leave 'tools' out or set 'tool_choice' to 'none'.",
            error["message"]!.GetValue<string>());
        Assert.Empty(server.Engine.Requests);
    }

    [Fact]
    public async Task CompleteChat_OpenAISdk_ParsesTheToolCall()
    {
        await using var server = await ToolServer.StartAsync(Before + Call);
        ChatClient client = server.SdkClient();
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 256 };
        options.Tools.Add(ChatTool.CreateFunctionTool("get_weather", "Current weather", BinaryData.FromString("""{"type": "object", "properties": {"city": {"type": "string"}}}""")));

        ChatCompletion completion = (await client.CompleteChatAsync([new UserChatMessage("Weather in Paris?")], options)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        Assert.Equal(Before, Assert.Single(completion.Content).Text);
        ChatToolCall call = Assert.Single(completion.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal(Arguments, call.FunctionArguments.ToString());

        // The SDK replays the call and the tool's answer in the next request, as an agent loop does.
        ChatCompletion next = (await client.CompleteChatAsync([new UserChatMessage("Weather in Paris?"), new AssistantChatMessage(completion), new ToolChatMessage(call.Id, "{\"temp\": 20}")], options)).Value;
        Assert.Equal(ChatFinishReason.ToolCalls, next.FinishReason);
        Assert.Contains($"<|im_start|>assistant\n{Before}\n{Call}<|im_end|>\n<|im_start|>user\n<tool_response>\n{{\"temp\": 20}}\n</tool_response>", server.Prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteChatStreaming_OpenAISdk_AssemblesTheToolCall()
    {
        await using var server = await ToolServer.StartAsync(Before + Call);
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 256 };
        options.Tools.Add(ChatTool.CreateFunctionTool("get_weather"));
        var text = new StringBuilder();
        var arguments = new StringBuilder();
        string? name = null;
        string? id = null;
        ChatFinishReason? finish = null;

        await foreach (StreamingChatCompletionUpdate update in server.SdkClient().CompleteChatStreamingAsync([new UserChatMessage("Weather in Paris?")], options))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
            foreach (StreamingChatToolCallUpdate call in update.ToolCallUpdates)
            {
                name ??= call.FunctionName;
                id ??= call.ToolCallId;
                arguments.Append(call.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(Before, text.ToString());
        Assert.Equal(("get_weather", Arguments), (name, arguments.ToString()));
        Assert.StartsWith("call_", id, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
    }

    [Theory]
    [InlineData("\"required\"")]
    [InlineData("{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"}}")]
    public async Task CreateChatCompletion_ForcedToolChoice_DecodedUnderAConstraintThatTakesACallOfTheOfferedFunctionOnly(string choice)
    {
        await using var server = await ToolServer.StartAsync(Call);
        JsonObject body = Body();
        body["tool_choice"] = JsonNode.Parse(choice);

        using HttpResponseMessage response = await server.Client.PostChatCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("tool_calls", (await response.ReadJsonObjectAsync())["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Engine.Constraints.ITokenConstraint constraint = server.Engine.LastRequest.Constraint!;
        Assert.True(Takes(constraint, Call, out bool complete) && complete);
        Assert.False(Takes(constraint, Call.Replace("get_weather", "get_time", StringComparison.Ordinal), out _));
        Assert.False(Takes(constraint, Before + Call, out _));
    }

    [Fact]
    public async Task CreateChatCompletion_AutoToolChoice_NoConstraint()
    {
        await using var server = await ToolServer.StartAsync(Call);

        using HttpResponseMessage response = await server.Client.PostChatCompletionAsync(Body());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(server.Engine.LastRequest.Constraint);
    }

    /// <summary>Whether the constraint takes every token of <paramref name="text"/> in turn, and whether it is then complete.</summary>
    private static bool Takes(Engine.Constraints.ITokenConstraint constraint, string text, out bool complete)
    {
        Engine.Constraints.ITokenConstraintState state = constraint.Start();
        bool all = FakeServedModel.Tokenizer.Encode(text).All(state.TryAppend);
        complete = state.IsComplete;
        return all;
    }

    private static JsonObject Body() => new()
    {
        ["model"] = FakeServedModel.Id,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Weather in Paris?" }),
        ["max_completion_tokens"] = 256,
        ["tools"] = new JsonArray(JsonNode.Parse(WeatherTool)),
    };

    /// <summary>A server whose fake engine answers <c>answer</c>, with Dream's chat template unless told otherwise.</summary>
    private sealed class ToolServer : IAsyncDisposable
    {
        private readonly QuicksilverApiFactory factory;

        private ToolServer(QuicksilverApiFactory factory, FakeGenerationEngine engine)
        {
            this.factory = factory;
            Engine = engine;
        }

        public FakeGenerationEngine Engine { get; }

        public HttpClient Client { get; private set; } = null!;

        /// <summary>The last prompt the engine got, as text.</summary>
        public string Prompt => FakeServedModel.Tokenizer.Decode(Engine.LastRequest.PromptTokens, skipSpecialTokens: false);

        public static async Task<ToolServer> StartAsync(string answer, Engine.Tokenization.ChatTemplates.IChatTemplate? template = null, int? pauseAfterBlocks = null)
        {
            var engine = new FakeGenerationEngine(FakeServedModel.Tokenizer) { Answer = answer, PauseAfterBlocks = pauseAfterBlocks };
            var server = new ToolServer(new QuicksilverApiFactory(FakeChatModel.Create(engine, template ?? FakeChatModel.DreamTemplate)), engine);
            server.Client = await server.factory.CreateReadyClientAsync();
            return server;
        }

        public ChatClient SdkClient() => new(
            FakeServedModel.Id,
            new ApiKeyCredential("not-checked"),
            new OpenAIClientOptions { Endpoint = new Uri(Client.BaseAddress!, "/v1"), Transport = new HttpClientPipelineTransport(Client) });

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await factory.DisposeAsync();
        }
    }
}
