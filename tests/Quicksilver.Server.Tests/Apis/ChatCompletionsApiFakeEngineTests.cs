using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// FAKE ENGINE: the exact prompt the engine receives, exact answers, chunks and finish reasons, known only because
/// <see cref="FakeGenerationEngine"/> answers <see cref="FakeGenerationEngine.DefaultAnswer"/> in fixed blocks.
/// </summary>
[Trait("Engine", "Fake")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed by IAsyncLifetime.DisposeAsync.")]
public sealed class ChatCompletionsApiFakeEngineTests : IAsyncLifetime
{
    private readonly FakeGenerationEngine engine = FakeServedModel.Engine();
    private QuicksilverApiFactory factory = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        factory = new QuicksilverApiFactory(FakeChatModel.Create(engine));
        client = await factory.CreateReadyClientAsync();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    [Fact]
    public async Task CreateChatCompletion_Conversation_EngineGetsExactlyTheTemplatedPrompt()
    {
        JsonObject body = Body();
        body["messages"] = new JsonArray(
            new JsonObject { ["role"] = "developer", ["content"] = "You are terse." },
            new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "  Hi!" }, new JsonObject { ["type"] = "text", ["text"] = "Are you there?\n" }),
            },
            new JsonObject { ["role"] = "assistant", ["content"] = "Hello." },
            new JsonObject { ["role"] = "assistant", ["content"] = null },
            new JsonObject { ["role"] = "user", ["content"] = "Name a metal." });

        using HttpResponseMessage response = await client.PostChatCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        const string expected =
            "<|startoftext|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nHi!\nAre you there?<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\n<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nName a metal.<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\n";
        IReadOnlyList<int> prompt = engine.LastRequest.PromptTokens;
        Assert.Equal(expected, FakeServedModel.Tokenizer.Decode(prompt, skipSpecialTokens: false));
        Assert.Equal(FakeServedModel.Tokenizer.Encode(expected), prompt);
        Assert.Equal(prompt.Count, OpenAIAssert.Usage((await response.ReadJsonObjectAsync())["usage"]).Prompt);
    }

    [Theory]
    [InlineData("{\"continue_final_message\": true}", "<|start_header_id|>assistant<|end_header_id|>\n\nHello, my")]
    [InlineData("{\"continue_final_message\": true, \"add_generation_prompt\": false}", "<|start_header_id|>assistant<|end_header_id|>\n\nHello, my")]
    [InlineData("{\"add_generation_prompt\": false}", "<|start_header_id|>assistant<|end_header_id|>\n\nHello, my<|eot_id|>")]
    [InlineData("{}", "<|start_header_id|>assistant<|end_header_id|>\n\nHello, my<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")]
    public async Task CreateChatCompletion_PromptEnding_AsVllmsContinueFinalMessageAndAddGenerationPrompt(string fields, string ending)
    {
        JsonObject body = WithFields(Body(), fields);
        body["messages"] = new JsonArray(
            new JsonObject { ["role"] = "user", ["content"] = "Hi" },
            new JsonObject { ["role"] = "assistant", ["content"] = "Hello, my " });

        using HttpResponseMessage response = await client.PostChatCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            "<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>" + ending,
            FakeServedModel.Tokenizer.Decode(engine.LastRequest.PromptTokens, skipSpecialTokens: false));
    }

    [Theory]
    [InlineData("{\"continue_final_message\": true, \"add_generation_prompt\": true}", "continue_final_message")]
    [InlineData("{\"continue_final_message\": \"yes\"}", "continue_final_message")]
    [InlineData("{\"add_generation_prompt\": 0}", "add_generation_prompt")]
    public async Task CreateChatCompletion_PromptEndingFieldsInConflictOrMistyped_Returns400NamingTheField(string fields, string param)
    {
        JsonObject body = WithFields(Body(), fields);

        using HttpResponseMessage response = await client.PostChatCompletionAsync(body);

        await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", param);
    }

    [Fact]
    public async Task CreateChatCompletion_RoomForTheWholeAnswer_ReturnsItWithStop()
    {
        using HttpResponseMessage response = await client.PostChatCompletionAsync(Body(maxTokens: 64));

        JsonObject completion = await response.ReadJsonObjectAsync();
        Assert.Equal((FakeGenerationEngine.DefaultAnswer, "stop"), ChatAssert.Choice(completion["choices"]![0]));
        Assert.Equal(engine.ExpectedCompletionTokens(64), OpenAIAssert.Usage(completion["usage"]).Completion);
        Assert.False(engine.Cancelled.Task.IsCompleted, "A finished generation must not be cancelled.");
    }

    [Fact]
    public async Task CreateChatCompletion_MaxCompletionTokensShorterThanTheAnswer_CutsWithLength()
    {
        using HttpResponseMessage response = await client.PostChatCompletionAsync(Body(maxTokens: 5));

        JsonObject completion = await response.ReadJsonObjectAsync();
        Assert.Equal(("Héll", "length"), ChatAssert.Choice(completion["choices"]![0]));
        Assert.Equal(5, OpenAIAssert.Usage(completion["usage"]).Completion);
    }

    [Theory]
    [InlineData(12, null, 12)]
    [InlineData(null, 7L, 7)]
    [InlineData(12, 7L, 12)]
    [InlineData(12, 5000L, 12)] // past the limit, but ignored
    [InlineData(12, 5000000000L, 12)] // past a 32-bit integer too
    public async Task CreateChatCompletion_MaxCompletionTokensAndDeprecatedMaxTokens_FirstOneWins(int? maxCompletionTokens, long? maxTokens, int expected)
    {
        JsonObject body = Body();
        body["max_completion_tokens"] = maxCompletionTokens;
        body["max_tokens"] = maxTokens;

        using HttpResponseMessage response = await client.PostChatCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, engine.LastRequest.MaxTokens);
    }

    [Fact]
    public async Task CreateChatCompletion_NoMaxTokens_AsksWhatTheContextHoldsWithinTheLimit()
    {
        JsonObject body = Body();
        body.Remove("max_completion_tokens");

        using HttpResponseMessage response = await client.PostChatCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        GenerationRequest request = engine.LastRequest;
        Assert.Equal(Math.Min(1024, FakeChatModel.ContextLength - request.PromptTokens.Count), request.MaxTokens);
    }

    [Fact]
    public async Task CreateChatCompletion_SamplingAndDiffusionFields_ReachTheEngine()
    {
        JsonObject body = Body(maxTokens: 40);
        body["temperature"] = 0.5;
        body["seed"] = -1;
        body["steps"] = 12;
        body["block_length"] = 4;
        body["remasking"] = "random";
        body["kv_cache"] = "prefix";
        body["kv_cache_refresh"] = "answer";

        using HttpResponseMessage response = await client.PostChatCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        GenerationRequest request = engine.LastRequest;
        Assert.Equal(40, request.MaxTokens);
        Assert.Equal(0.5f, request.Temperature);
        Assert.Equal(ulong.MaxValue, request.Seed);
        Assert.Equal(12, request.Steps);
        Assert.Equal(4, request.BlockLength);
        Assert.Equal(RemaskingStrategy.Random, request.Remasking);
        Assert.Equal(KvCacheMode.Prefix, request.KvCache);
        Assert.Equal(KvCacheRefresh.Answer, request.KvCacheRefresh);
    }

    [Fact]
    public async Task CreateChatCompletion_OriginRemasking_ReachesTheEngine()
    {
        JsonObject body = Body();
        body["remasking"] = "origin";

        using HttpResponseMessage response = await client.PostChatCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(RemaskingStrategy.Origin, engine.LastRequest.Remasking);
    }

    [Fact]
    public async Task CreateChatCompletion_CommitRuleAndDreamConfidence_ReachTheEngine()
    {
        JsonObject body = Body();
        body["threshold"] = 0.9;
        body["remasking"] = "entropy";

        using HttpResponseMessage response = await client.PostChatCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((CommitRule.Threshold, 0.9, RemaskingStrategy.Entropy), (engine.LastRequest.Commit, engine.LastRequest.CommitParameter, engine.LastRequest.Remasking));
    }

    [Fact]
    public async Task CreateChatCompletion_NIs3_ThreeChoicesWithConsecutiveSeeds()
    {
        JsonObject body = Body(maxTokens: 64);
        body["n"] = 3;
        body["seed"] = 10;

        using HttpResponseMessage response = await client.PostChatCompletionAsync(body);

        JsonObject completion = await response.ReadJsonObjectAsync();
        JsonArray choices = ChatAssert.Envelope(completion, FakeServedModel.Id);
        Assert.Equal([0, 1, 2], choices.Select(c => c!["index"]!.GetValue<int>()));
        Assert.All(choices, c => Assert.Equal((FakeGenerationEngine.DefaultAnswer, "stop"), ChatAssert.Choice(c, c!["index"]!.GetValue<int>())));
        Assert.Equal(new ulong?[] { 10, 11, 12 }, engine.Requests.Select(r => r.Seed).Order());
        Assert.Equal((engine.LastRequest.PromptTokens.Count, 3 * engine.ExpectedCompletionTokens(64)), OpenAIAssert.Usage(completion["usage"]));
    }

    [Fact]
    public async Task CreateChatCompletion_StreamWithNIs2_RoleChunksFirstThenEachChoiceCompleteAndFinishedOnce()
    {
        JsonObject body = Body(maxTokens: 64, stream: true);
        body["n"] = 2;
        body["block_length"] = 4;
        body["stream_options"] = new JsonObject { ["include_usage"] = true };

        using HttpResponseMessage response = await client.PostChatCompletionAsync(body);

        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()));
        Assert.Single(chunks.Select(c => c["id"]!.GetValue<string>()).Distinct());
        Assert.Equal(2 * engine.ExpectedCompletionTokens(64), OpenAIAssert.Usage(chunks[^1]["usage"]).Completion);
        Assert.Empty(chunks[^1]["choices"]!.AsArray());
        JsonObject[] choiceChunks = [.. chunks.SkipLast(1).Select(c => Assert.Single(ChatAssert.Envelope(c, FakeServedModel.Id, chunk: true))!.AsObject())];
        Assert.Equal([0, 1], choiceChunks[..2].Select(c => c["index"]!.GetValue<int>()));
        Assert.All(choiceChunks[..2], c => Assert.Equal("""{"role":"assistant","content":""}""", c["delta"]!.ToJsonString()));
        foreach (int index in new[] { 0, 1 })
        {
            JsonObject[] mine = [.. choiceChunks.Skip(2).Where(c => c["index"]!.GetValue<int>() == index)];
            Assert.Equal(FakeGenerationEngine.DefaultAnswer, string.Concat(mine.Select(c => c["delta"]!["content"]?.GetValue<string>())));
            Assert.Equal("stop", mine[^1]["finish_reason"]!.GetValue<string>());
            Assert.All(mine[..^1], c => Assert.Null(c["finish_reason"]));
        }
    }

    [Fact]
    public async Task CreateChatCompletion_DefaultFields_ReachTheEngineAsDefaults()
    {
        using HttpResponseMessage response = await client.PostChatCompletionAsync("{\"messages\": [{\"role\": \"user\", \"content\": \"Say hello\"}]}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        GenerationRequest request = engine.LastRequest;
        Assert.Equal(1f, request.Temperature);
        Assert.Null(request.Seed);
        Assert.Null(request.Steps);
        Assert.Null(request.BlockLength);
        Assert.Equal(RemaskingStrategy.LowConfidence, request.Remasking);
        Assert.Equal(CommitRule.Schedule, request.Commit);
        Assert.Single(engine.Requests);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public async Task CreateChatCompletion_Stream_RoleChunkThenOneChunkPerBlock(int blockLength)
    {
        JsonObject body = Body(maxTokens: 64, stream: true);
        body["block_length"] = blockLength;

        using HttpResponseMessage response = await client.PostChatCompletionAsync(body);

        string raw = await response.Content.ReadAsStringAsync();
        IReadOnlyList<string> payloads = ServerSentEvents.ParseStrict(raw);
        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(payloads);
        (string content, string finish, _) = ChatAssert.Stream(chunks, FakeServedModel.Id, includeUsage: false);
        Assert.Equal((FakeGenerationEngine.DefaultAnswer, "stop"), (content, finish));
        string id = chunks[0]["id"]!.GetValue<string>();
        long created = chunks[0]["created"]!.GetValue<long>();
        Assert.Equal(
            $$"""{"id":"{{id}}","object":"chat.completion.chunk","created":{{created}},"model":"fake-tiny","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}""",
            payloads[0]);
        Assert.StartsWith(
            $$"""{"id":"{{id}}","object":"chat.completion.chunk","created":{{created}},"model":"fake-tiny","choices":[{"index":0,"delta":{"content":""",
            payloads[1],
            StringComparison.Ordinal);
        Assert.EndsWith("""},"logprobs":null,"finish_reason":null}],"usage":null}""", payloads[1], StringComparison.Ordinal);
        Assert.All(chunks.Skip(1), c => Assert.DoesNotContain('\uFFFD', c["choices"]![0]!["delta"]!["content"]?.GetValue<string>() ?? string.Empty));
        Assert.InRange(chunks.Count, 3, (engine.Expected(64).Tokens.Count / blockLength) + 2);
    }

    [Fact]
    public async Task CreateChatCompletion_TopLogprobs_EachTokenListsItsAlternativesWithTheirBytes()
    {
        JsonObject body = Body(maxTokens: 64, stream: false);
        body["logprobs"] = true;
        body["top_logprobs"] = 2;

        using HttpResponseMessage response = await client.PostChatCompletionAsync(body);

        JsonArray content = (await response.ReadJsonObjectAsync())["choices"]![0]!["logprobs"]!["content"]!.AsArray();
        Assert.Equal(2, engine.LastRequest.TopLogprobs);
        Assert.Equal(engine.Expected(64).Tokens.Count, content.Count);
        Assert.Equal(
            """{"token":"H","logprob":-0.1,"bytes":[72],"top_logprobs":[{"token":"A","logprob":-0.03125,"bytes":[65]},{"token":"B","logprob":-0.0625,"bytes":[66]}]}""",
            content[0]!.ToJsonString());
        // Chat lists exactly top_logprobs entries, without adding the sampled token (OpenAI's chat shape).
        Assert.All(content, entry => Assert.Equal(
            """[{"token":"A","logprob":-0.03125,"bytes":[65]},{"token":"B","logprob":-0.0625,"bytes":[66]}]""",
            entry!["top_logprobs"]!.ToJsonString()));
    }

    [Fact]
    public async Task CreateChatCompletion_StreamEndingOnABlockBoundary_LastChunkHasEmptyDeltaAndFinish()
    {
        int answerTokens = engine.Expected(64).Tokens.Count;
        JsonObject body = Body(maxTokens: 64, stream: true);
        body["block_length"] = answerTokens; // the EOS opens the second block
        body["stream_options"] = new JsonObject { ["include_usage"] = true };

        using HttpResponseMessage response = await client.PostChatCompletionAsync(body);

        IReadOnlyList<string> payloads = ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync());
        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(payloads);
        Assert.Equal(4, chunks.Count);
        Assert.Equal("""{"content":"Héllo, diffusion wörld: 1€ ✓ done."}""", ChatAssert.ChunkChoice(chunks[1]["choices"]![0]).Delta.ToJsonString(Json));
        Assert.Contains("\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]", payloads[2], StringComparison.Ordinal);
        Assert.Contains("\"choices\":[],\"usage\":{", payloads[3], StringComparison.Ordinal);
        (string content, string finish, JsonNode? usage) = ChatAssert.Stream(chunks, FakeServedModel.Id, includeUsage: true);
        Assert.Equal((FakeGenerationEngine.DefaultAnswer, "stop"), (content, finish));
        Assert.Equal((engine.LastRequest.PromptTokens.Count, engine.ExpectedCompletionTokens(64)), OpenAIAssert.Usage(usage));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateChatCompletion_StopSequence_CutsBeforeItAndStopsTheEngine(bool stream)
    {
        JsonObject body = Body(maxTokens: 64, stream: stream);
        body["stop"] = new JsonArray("wörld", "never");
        body["block_length"] = 3;

        using HttpResponseMessage response = await client.PostChatCompletionAsync(body);

        (string content, string finish) = stream
            ? Streamed(await response.Content.ReadAsStringAsync())
            : ChatAssert.Choice((await response.ReadJsonObjectAsync())["choices"]![0]);
        Assert.Equal(("Héllo, diffusion ", "stop"), (content, finish));
        await engine.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static readonly System.Text.Json.JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static (string Content, string FinishReason) Streamed(string body)
    {
        (string content, string finish, _) = ChatAssert.Stream(OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(body)), FakeServedModel.Id, includeUsage: false);
        return (content, finish);
    }

    /// <summary><paramref name="body"/> with the fields of the JSON object <paramref name="fields"/> set.</summary>
    private static JsonObject WithFields(JsonObject body, string fields)
    {
        foreach ((string name, JsonNode? value) in JsonNode.Parse(fields)!.AsObject())
        {
            body[name] = value?.DeepClone();
        }

        return body;
    }

    private static JsonObject Body(int maxTokens = 16, bool stream = false) => new()
    {
        ["model"] = FakeServedModel.Id,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Say hello" }),
        ["max_completion_tokens"] = maxTokens,
        ["stream"] = stream,
    };
}
