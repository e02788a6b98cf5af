using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// FAKE ENGINE: exact texts, blocks, finish reasons and what reaches the engine, known only because
/// <see cref="FakeGenerationEngine"/> answers <see cref="FakeGenerationEngine.DefaultAnswer"/> in fixed blocks.
/// These stay on the fake when the other tests move to the real tiny model.
/// </summary>
[Trait("Engine", "Fake")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed by IAsyncLifetime.DisposeAsync.")]
public sealed class CompletionsApiFakeEngineTests : IAsyncLifetime
{
    private readonly FakeGenerationEngine engine = FakeServedModel.Engine();
    private QuicksilverApiFactory factory = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        factory = new QuicksilverApiFactory(FakeServedModel.Create(engine));
        client = await factory.CreateReadyClientAsync();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    [Fact]
    public async Task CreateCompletion_RoomForTheWholeAnswer_ReturnsItWithStop()
    {
        using HttpResponseMessage response = await client.PostCompletionAsync(Body(maxTokens: 64));

        JsonObject completion = await response.ReadJsonObjectAsync();
        Assert.Equal((FakeGenerationEngine.DefaultAnswer, "stop"), OpenAIAssert.Choice(completion["choices"]![0]));
        Assert.Equal((Prompt.Length, engine.ExpectedCompletionTokens(64)), OpenAIAssert.Usage(completion["usage"]));
        Assert.False(engine.Cancelled.Task.IsCompleted, "A finished generation must not be cancelled.");
    }

    [Fact]
    public async Task CreateCompletion_MaxTokensShorterThanTheAnswer_CutsWithLength()
    {
        using HttpResponseMessage response = await client.PostCompletionAsync(Body(maxTokens: 5));

        JsonObject completion = await response.ReadJsonObjectAsync();
        Assert.Equal(("Héll", "length"), OpenAIAssert.Choice(completion["choices"]![0]));
        Assert.Equal(5, OpenAIAssert.Usage(completion["usage"]).Completion);
    }

    [Fact]
    public async Task CreateCompletion_LengthCutInsideACharacter_EndsWithTheReplacementCharacter()
    {
        // "H" + the two bytes of "é": cutting after the first byte leaves half a character, flushed as U+FFFD.
        using HttpResponseMessage response = await client.PostCompletionAsync(Body(maxTokens: 2));

        JsonObject completion = await response.ReadJsonObjectAsync();
        Assert.Equal(("H\uFFFD", "length"), OpenAIAssert.Choice(completion["choices"]![0]));
    }

    [Fact]
    public async Task CreateCompletion_NoMaxTokens_Asks16()
    {
        JsonObject body = Body();
        body.Remove("max_tokens");

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(16, engine.LastRequest.MaxTokens);
    }

    [Fact]
    public async Task CreateCompletion_NoMaxTokensAndLittleRoomLeft_AsksWhatTheContextHolds()
    {
        JsonObject body = Body();
        body["max_tokens"] = null;
        body["prompt"] = new JsonArray([.. Enumerable.Repeat(70, FakeServedModel.ContextLength - 3).Select(i => (JsonNode)i)]);

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, engine.LastRequest.MaxTokens);
    }

    [Fact]
    public async Task CreateCompletion_SamplingAndDiffusionFields_ReachTheEngine()
    {
        JsonObject body = Body(maxTokens: 40);
        body["temperature"] = 0.5;
        body["seed"] = -1;
        body["steps"] = 12;
        body["block_length"] = 4;
        body["remasking"] = "random";

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        GenerationRequest request = engine.LastRequest;
        Assert.Equal(FakeServedModel.Tokenizer.Encode(Prompt), request.PromptTokens);
        Assert.Equal(40, request.MaxTokens);
        Assert.Equal(0.5f, request.Temperature);
        Assert.Equal(ulong.MaxValue, request.Seed);
        Assert.Equal(12, request.Steps);
        Assert.Equal(4, request.BlockLength);
        Assert.Equal(RemaskingStrategy.Random, request.Remasking);
    }

    [Fact]
    public async Task CreateCompletion_WholeNumbersWrittenAsFloats_ReachTheEngineAsIntegers()
    {
        // What a Python client sends when it computes a length as a float: 16.0 is an integer, as vLLM accepts it.
        using HttpResponseMessage response = await client.PostCompletionAsync(
            "{\"prompt\": [5.0, 6, 7e0], \"max_tokens\": 40.0, \"steps\": 1.2e1, \"block_length\": 4.0, \"n\": 2.0, \"seed\": -1.0}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.ReadJsonObjectAsync())["choices"]!.AsArray().Count);
        GenerationRequest request = engine.LastRequest;
        Assert.Equal(new[] { 5, 6, 7 }, request.PromptTokens);
        Assert.Equal((40, 12, 4), (request.MaxTokens, request.Steps, request.BlockLength));
        Assert.Contains(engine.Requests, r => r.Seed == ulong.MaxValue);
    }

    [Theory]
    [InlineData("9223372036854775807.0", 9223372036854775808UL)]
    [InlineData("1.8e19", 18000000000000000000UL)]
    [InlineData("-9.2e18", 9246744073709551616UL)]
    public async Task CreateCompletion_SeedAsAFloatAtTheEdgesOf64Bits_IsKept(string seed, ulong expected)
    {
        using HttpResponseMessage response = await client.PostCompletionAsync($"{{\"prompt\": \"{Prompt}\", \"seed\": {seed}}}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, engine.LastRequest.Seed);
    }

    [Fact]
    public async Task CreateCompletion_DefaultFields_ReachTheEngineAsDefaults()
    {
        using HttpResponseMessage response = await client.PostCompletionAsync($"{{\"prompt\": \"{Prompt}\"}}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        GenerationRequest request = engine.LastRequest;
        Assert.Equal(1f, request.Temperature);
        Assert.Null(request.Seed);
        Assert.Null(request.Steps);
        Assert.Null(request.BlockLength);
        Assert.Equal(RemaskingStrategy.LowConfidence, request.Remasking);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public async Task CreateCompletion_Stream_OneChunkPerBlockAndNoCharacterSplit(int blockLength)
    {
        JsonObject body = Body(maxTokens: 64, stream: true);
        body["block_length"] = blockLength;

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()));
        string[] texts = [.. chunks.Select(c => OpenAIAssert.Choice(c["choices"]![0]).Text)];
        Assert.Equal(FakeGenerationEngine.DefaultAnswer, string.Concat(texts));
        Assert.All(texts, t => Assert.DoesNotContain('\uFFFD', t));
        Assert.Equal("stop", OpenAIAssert.Choice(chunks[^1]["choices"]![0]).FinishReason);
        int blocks = (engine.Expected(64).Tokens.Count / blockLength) + 1;
        Assert.InRange(chunks.Count, 2, blocks);
    }

    [Fact]
    public async Task CreateCompletion_StreamEndingOnABlockBoundary_SendsEmptyLastChunkWithFinish()
    {
        int answerTokens = engine.Expected(64).Tokens.Count;
        JsonObject body = Body(maxTokens: 64, stream: true);
        body["block_length"] = answerTokens; // the EOS opens the second block

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()));
        Assert.Equal(2, chunks.Count);
        Assert.Equal((FakeGenerationEngine.DefaultAnswer, (string?)null), OpenAIAssert.Choice(chunks[0]["choices"]![0]));
        Assert.Equal((string.Empty, "stop"), OpenAIAssert.Choice(chunks[1]["choices"]![0]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateCompletion_StopSequence_CutsBeforeItAndStopsTheEngine(bool stream)
    {
        JsonObject body = Body(maxTokens: 64, stream: stream);
        body["stop"] = new JsonArray("wörld", "never");
        body["block_length"] = 3;

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        string text;
        string? finish;
        if (stream)
        {
            IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()));
            text = string.Concat(chunks.Select(c => OpenAIAssert.Choice(c["choices"]![0]).Text));
            finish = OpenAIAssert.Choice(chunks[^1]["choices"]![0]).FinishReason;
        }
        else
        {
            (text, finish) = OpenAIAssert.Choice((await response.ReadJsonObjectAsync())["choices"]![0]);
        }

        Assert.Equal(("Héllo, diffusion ", "stop"), (text, finish));
        await engine.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task CreateCompletion_StopAsString_IsOneStopSequence()
    {
        JsonObject body = Body(maxTokens: 64);
        body["stop"] = ",";

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        Assert.Equal(("Héllo", "stop"), OpenAIAssert.Choice((await response.ReadJsonObjectAsync())["choices"]![0]));
    }

    [Fact]
    public async Task CreateCompletion_Stream_CarriesTheModelAndUsage()
    {
        JsonObject body = Body(maxTokens: 64, stream: true);
        body["stream_options"] = new JsonObject { ["include_usage"] = true };

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()));
        Assert.Equal((Prompt.Length, engine.ExpectedCompletionTokens(64)), OpenAIAssert.Usage(chunks[^1]["usage"]));
        Assert.All(chunks, c => Assert.Equal(FakeServedModel.Id, c["model"]!.GetValue<string>()));
    }

    private const string Prompt = "Say hello";

    [Fact]
    public async Task CreateCompletion_NIs3_ThreeChoicesWithConsecutiveSeeds()
    {
        JsonObject body = Body(maxTokens: 64);
        body["n"] = 3;
        body["seed"] = 10;

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        JsonObject completion = await response.ReadJsonObjectAsync();
        JsonArray choices = completion["choices"]!.AsArray();
        Assert.Equal([0, 1, 2], choices.Select(c => c!["index"]!.GetValue<int>()));
        Assert.All(choices, c => Assert.Equal((FakeGenerationEngine.DefaultAnswer, "stop"), TextAndFinish(c)));
        Assert.Equal(new ulong?[] { 10, 11, 12 }, engine.Requests.Select(r => r.Seed).Order());
        Assert.Equal(3 * engine.ExpectedCompletionTokens(64), OpenAIAssert.Usage(completion["usage"]).Completion);
    }

    [Fact]
    public async Task CreateCompletion_StreamWithNIs2_EachChoiceCompleteAndFinishedOnce()
    {
        JsonObject body = Body(maxTokens: 64, stream: true);
        body["n"] = 2;
        body["block_length"] = 4;

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()));
        foreach (int index in new[] { 0, 1 })
        {
            JsonNode[] mine = [.. chunks.Select(c => c["choices"]![0]!).Where(c => c["index"]!.GetValue<int>() == index)];
            Assert.Equal(FakeGenerationEngine.DefaultAnswer, string.Concat(mine.Select(c => TextAndFinish(c).Text)));
            Assert.Equal("stop", TextAndFinish(mine[^1]).FinishReason);
            Assert.All(mine[..^1], c => Assert.Null(TextAndFinish(c).FinishReason));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateCompletion_Echo_TextStartsWithThePrompt(bool stream)
    {
        JsonObject body = Body(maxTokens: 64, stream: stream);
        body["echo"] = true;

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        string text = stream
            ? string.Concat(OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync())).Select(c => OpenAIAssert.Choice(c["choices"]![0]).Text))
            : OpenAIAssert.Choice((await response.ReadJsonObjectAsync())["choices"]![0]).Text;
        Assert.Equal(Prompt + FakeGenerationEngine.DefaultAnswer, text);
    }

    [Fact]
    public async Task CreateCompletion_ThresholdAndDreamConfidence_ReachTheEngine()
    {
        JsonObject body = Body();
        body["threshold"] = 0.9;

        using HttpResponseMessage thresholdResponse = await client.PostCompletionAsync(body);
        Assert.Equal(HttpStatusCode.OK, thresholdResponse.StatusCode);
        Assert.Equal((CommitRule.Threshold, 0.9), (engine.LastRequest.Commit, engine.LastRequest.CommitParameter));

        body.Remove("threshold");
        body["factor"] = 1.5;
        body["remasking"] = "entropy";
        using HttpResponseMessage factorResponse = await client.PostCompletionAsync(body);
        Assert.Equal(HttpStatusCode.OK, factorResponse.StatusCode);
        Assert.Equal((CommitRule.Factor, 1.5, RemaskingStrategy.Entropy), (engine.LastRequest.Commit, engine.LastRequest.CommitParameter, engine.LastRequest.Remasking));
    }

    [Theory]
    [InlineData("low_confidence", RemaskingStrategy.LowConfidence)]
    [InlineData("random", RemaskingStrategy.Random)]
    [InlineData("margin", RemaskingStrategy.Margin)]
    [InlineData("entropy", RemaskingStrategy.Entropy)]
    [InlineData("origin", RemaskingStrategy.Origin)]
    [InlineData(null, RemaskingStrategy.LowConfidence)]
    public async Task CreateCompletion_Remasking_ReachesTheEngine(string? field, RemaskingStrategy expected)
    {
        JsonObject body = Body();
        body["remasking"] = field;

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, engine.LastRequest.Remasking);
    }

    [Theory]
    [InlineData("none", KvCacheMode.None)]
    [InlineData("prefix", KvCacheMode.Prefix)]
    [InlineData("dual", KvCacheMode.Dual)]
    [InlineData(null, null)]
    public async Task CreateCompletion_KvCache_ReachesTheEngine(string? field, KvCacheMode? expected)
    {
        JsonObject body = Body();
        body["kv_cache"] = field;

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, engine.LastRequest.KvCache);
    }

    [Theory]
    [InlineData("canvas", KvCacheRefresh.Canvas)]
    [InlineData("answer", KvCacheRefresh.Answer)]
    [InlineData("frontier", KvCacheRefresh.Frontier)]
    [InlineData(null, null)]
    public async Task CreateCompletion_KvCacheRefresh_ReachesTheEngine(string? field, KvCacheRefresh? expected)
    {
        JsonObject body = Body();
        body["kv_cache"] = "dual";
        body["kv_cache_refresh"] = field;

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, engine.LastRequest.KvCacheRefresh);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateCompletion_LogprobsZero_EveryTokenWithOffsetsIntoTheText(bool stream)
    {
        JsonNode[] choices = await ChoicesWithLogprobsAsync(logprobs: 0, stream);

        string text = string.Concat(choices.Select(c => c["text"]!.GetValue<string>()));
        string[] tokens = [.. choices.SelectMany(c => c["logprobs"]!["tokens"]!.AsArray().Select(t => t!.GetValue<string>()))];
        int[] offsets = [.. choices.SelectMany(c => c["logprobs"]!["text_offset"]!.AsArray().Select(t => t!.GetValue<int>()))];
        float[] logprobs = [.. choices.SelectMany(c => c["logprobs"]!["token_logprobs"]!.AsArray().Select(t => t!.GetValue<float>()))];
        Assert.Equal(FakeGenerationEngine.DefaultAnswer, text);
        Assert.Equal(engine.Expected(64).Tokens.Count, tokens.Length);
        Assert.Equal(0, offsets[0]);
        Assert.All(offsets.Zip(offsets.Skip(1)), pair => Assert.True(pair.First <= pair.Second));
        Assert.All(offsets, offset => Assert.InRange(offset, 0, text.Length - 1));
        // A token that is a whole character sits exactly at its offset in the text.
        Assert.All(tokens.Zip(offsets).Where(t => !t.First.Contains('\uFFFD', StringComparison.Ordinal)), t => Assert.StartsWith(t.First, text[t.Second..], StringComparison.Ordinal));
        Assert.All(logprobs, lp => Assert.InRange(lp, -0.41f, -0.09f));
        Assert.All(choices, c => Assert.Null(c["logprobs"]!["top_logprobs"]));
    }

    [Fact]
    public async Task CreateCompletion_LogprobsWithEmoji_OffsetsCountCharactersNotUtf16Units()
    {
        var emojiEngine = new FakeGenerationEngine(FakeServedModel.Tokenizer) { Answer = "😀 said, 😀 and" };
        await using var emojiFactory = new QuicksilverApiFactory(FakeServedModel.Create(emojiEngine));
        using HttpClient emojiClient = await emojiFactory.CreateReadyClientAsync();
        JsonObject body = Body(maxTokens: 64);
        body["prompt"] = "😀😀 he";
        body["echo"] = true;
        body["logprobs"] = 0;

        using HttpResponseMessage response = await emojiClient.PostCompletionAsync(body);

        JsonNode choice = (await response.ReadJsonObjectAsync())["choices"]![0]!;
        // As Python indexes the text (vLLM's offsets): by code point, the emoji one each.
        string[] characters = [.. choice["text"]!.GetValue<string>().EnumerateRunes().Select(r => r.ToString())];
        Assert.Equal("😀😀 he😀 said, 😀 and", string.Concat(characters));
        string[] tokens = [.. choice["logprobs"]!["tokens"]!.AsArray().Select(t => t!.GetValue<string>())];
        int[] offsets = [.. choice["logprobs"]!["text_offset"]!.AsArray().Select(t => t!.GetValue<int>())];
        Assert.Equal(5, offsets[0]);
        Assert.All(offsets, offset => Assert.InRange(offset, 5, characters.Length - 1));
        Assert.All(
            tokens.Zip(offsets).Where(t => !t.First.Contains('\uFFFD', StringComparison.Ordinal)),
            t => Assert.StartsWith(t.First, string.Concat(characters[t.Second..]), StringComparison.Ordinal));
        Assert.Equal([5, 5, 5, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13, 13, 13, 14, 15, 16, 17], offsets);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateCompletion_LogprobsThree_TopLogprobsMapEachTokensAlternativesByText(bool stream)
    {
        JsonNode[] choices = await ChoicesWithLogprobsAsync(logprobs: 3, stream);

        string[] tokens = [.. choices.SelectMany(c => c["logprobs"]!["tokens"]!.AsArray().Select(t => t!.GetValue<string>()))];
        float[] logprobs = [.. choices.SelectMany(c => c["logprobs"]!["token_logprobs"]!.AsArray().Select(t => t!.GetValue<float>()))];
        JsonObject[] tops = [.. choices.SelectMany(c => c["logprobs"]!["top_logprobs"]!.AsArray().Select(t => t!.AsObject()))];
        Assert.Equal(3, engine.LastRequest.TopLogprobs);
        Assert.Equal(engine.Expected(64).Tokens.Count, tops.Length);
        Assert.Equal("""{"A":-0.03125,"B":-0.0625,"C":-0.09375,"H":-0.1}""", tops[0].ToJsonString());
        for (int i = 0; i < tokens.Length; i++)
        {
            // The fake lists 'A', 'B', 'C' above the token, which follows them: N + 1 entries, as OpenAI sends.
            (string Text, float Logprob)[] listed = [("A", -1 / 32f), ("B", -2 / 32f), ("C", -3 / 32f), (tokens[i], logprobs[i])];
            Assert.Equal(listed, tops[i].Select(p => (p.Key, p.Value!.GetValue<float>())));
        }
    }

    /// <summary>The choice of a 64-token answer in blocks of 4 with <c>logprobs</c>: the answer's, or each chunk's when streamed.</summary>
    private async Task<JsonNode[]> ChoicesWithLogprobsAsync(int logprobs, bool stream)
    {
        JsonObject body = Body(maxTokens: 64, stream: stream);
        body["logprobs"] = logprobs;
        body["block_length"] = 4;

        using HttpResponseMessage response = await client.PostCompletionAsync(body);

        return stream
            ? [.. OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync())).Select(c => c["choices"]![0]!)]
            : [(await response.ReadJsonObjectAsync())["choices"]![0]!];
    }

    private static (string Text, string? FinishReason) TextAndFinish(JsonNode? choice) =>
        (choice!["text"]!.GetValue<string>(), choice["finish_reason"]?.GetValue<string>());

    private static JsonObject Body(int maxTokens = 16, bool stream = false) => new()
    {
        ["model"] = FakeServedModel.Id,
        ["prompt"] = Prompt,
        ["max_tokens"] = maxTokens,
        ["stream"] = stream,
    };
}
