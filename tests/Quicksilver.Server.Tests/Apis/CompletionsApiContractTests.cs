using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// <c>POST /v1/completions</c>: shapes, framing and usage that hold for any model. Run on <see cref="TestModel"/>
/// (<see cref="CompletionsApiTests"/>) and on a real tiny checkpoint (<see cref="CompletionsApiTinyModelTests"/>).
/// </summary>
public abstract class CompletionsApiContractTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, IApiFixture
{
    private const string Prompt = "The capital of France is";

    private HttpClient Client => fixture.Client;

    private string Model => fixture.Factory.Model.Id;

    private JsonObject Body(bool stream = false, int maxTokens = 24) => new()
    {
        ["model"] = Model,
        ["prompt"] = Prompt,
        ["max_tokens"] = maxTokens,
        ["temperature"] = 0,
        ["seed"] = 7,
        ["stream"] = stream,
    };

    [Fact]
    public async Task CreateCompletion_NonStream_ReturnsTextCompletion()
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(Body());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        JsonObject completion = await response.ReadJsonObjectAsync();
        JsonArray choices = OpenAIAssert.CompletionEnvelope(completion, Model);
        JsonNode choice = Assert.Single(choices)!;
        (string _, string? finish) = OpenAIAssert.Choice(choice);
        Assert.Contains(finish, new[] { "stop", "length" });
    }

    [Fact]
    public async Task CreateCompletion_NonStream_UsageCountsPromptAndCompletionTokens()
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(Body(maxTokens: 20));

        JsonObject completion = await response.ReadJsonObjectAsync();
        (int prompt, int generated) = OpenAIAssert.Usage(completion["usage"]);
        Assert.Equal(fixture.Factory.Model.Tokenizer.Encode(Prompt).Count, prompt);
        Assert.InRange(generated, 0, 20);
        (string _, string? finish) = OpenAIAssert.Choice(completion["choices"]![0]);
        if (finish == "length")
        {
            Assert.Equal(20, generated);
        }
    }

    [Fact]
    public async Task CreateCompletion_TokenIdPrompts_CountThoseIds()
    {
        int[] ids = [.. fixture.Factory.Model.Tokenizer.Encode(Prompt)];
        foreach (JsonNode prompt in new JsonNode[] { new JsonArray([.. ids.Select(i => (JsonNode)i)]), new JsonArray(new JsonArray([.. ids.Select(i => (JsonNode)i)])) })
        {
            JsonObject body = Body();
            body["prompt"] = prompt;

            using HttpResponseMessage response = await Client.PostCompletionAsync(body);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(ids.Length, OpenAIAssert.Usage((await response.ReadJsonObjectAsync())["usage"]).Prompt);
        }
    }

    [Fact]
    public async Task CreateCompletion_SingleStringInArray_IsThePrompt()
    {
        JsonObject body = Body();
        body["prompt"] = new JsonArray(Prompt);

        using HttpResponseMessage response = await Client.PostCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(fixture.Factory.Model.Tokenizer.Encode(Prompt).Count, OpenAIAssert.Usage((await response.ReadJsonObjectAsync())["usage"]).Prompt);
    }

    [Fact]
    public async Task CreateCompletion_ModelOmittedAndUnknownFieldsPresent_ServesTheModel()
    {
        JsonObject body = Body();
        body.Remove("model");
        body["frobnicate"] = new JsonObject { ["x"] = 1 };
        body["user"] = "someone";
        body["logprobs"] = null;
        body["echo"] = false;
        body["n"] = 1;
        body["top_p"] = 1;
        body["suffix"] = null;

        using HttpResponseMessage response = await Client.PostCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        OpenAIAssert.CompletionEnvelope(await response.ReadJsonObjectAsync(), Model);
    }

    [Fact]
    public async Task CreateCompletion_NoContentType_IsReadAsJson()
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(Body().ToJsonString(), contentType: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task CreateCompletion_Stream_EveryEventIsOneDataLineEndingWithDone()
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(Body(stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache, "Cache-Control: no-cache expected");
        string body = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        Assert.NotEmpty(ServerSentEvents.ParseStrict(body));
    }

    [Fact]
    public async Task CreateCompletion_Stream_ChunksShareIdAndFinishOnlyOnTheLast()
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(Body(stream: true));

        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()));
        Assert.Single(chunks.Select(c => c["id"]!.GetValue<string>()).Distinct());
        Assert.Single(chunks.Select(c => c["created"]!.GetValue<long>()).Distinct());
        for (int i = 0; i < chunks.Count; i++)
        {
            JsonArray choices = OpenAIAssert.CompletionEnvelope(chunks[i], Model);
            Assert.Null(chunks[i]["usage"]);
            (string text, string? finish) = OpenAIAssert.Choice(Assert.Single(choices));
            bool last = i == chunks.Count - 1;
            Assert.Equal(last, finish is not null);
            if (!last)
            {
                Assert.NotEmpty(text);
            }
        }
    }

    [Fact]
    public async Task CreateCompletion_StreamWithIncludeUsage_EndsWithUsageChunkWithoutChoices()
    {
        JsonObject body = Body(stream: true);
        body["stream_options"] = new JsonObject { ["include_usage"] = true, ["continuous_usage_stats"] = false };

        using HttpResponseMessage response = await Client.PostCompletionAsync(body);

        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()));
        JsonObject usageChunk = chunks[^1];
        Assert.Empty(OpenAIAssert.CompletionEnvelope(usageChunk, Model));
        (int prompt, int generated) = OpenAIAssert.Usage(usageChunk["usage"]);
        Assert.Equal(fixture.Factory.Model.Tokenizer.Encode(Prompt).Count, prompt);
        Assert.InRange(generated, 0, 24);
        Assert.Single(chunks.Select(c => c["id"]!.GetValue<string>()).Distinct());
        Assert.All(chunks.SkipLast(1), c => Assert.Null(c["usage"]));
        Assert.NotNull(chunks[^2]["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public async Task CreateCompletion_GreedyWithSeed_StreamedTextEqualsNonStreamText()
    {
        using HttpResponseMessage whole = await Client.PostCompletionAsync(Body());
        JsonObject completion = await whole.ReadJsonObjectAsync();
        JsonObject streamBody = Body(stream: true);
        streamBody["stream_options"] = new JsonObject { ["include_usage"] = true };

        using HttpResponseMessage streamed = await Client.PostCompletionAsync(streamBody);

        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await streamed.Content.ReadAsStringAsync()));
        string text = string.Concat(chunks.SkipLast(1).Select(c => c["choices"]![0]!["text"]!.GetValue<string>()));
        Assert.Equal(completion["choices"]![0]!["text"]!.GetValue<string>(), text);
        Assert.Equal(completion["choices"]![0]!["finish_reason"]!.GetValue<string>(), chunks[^2]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(OpenAIAssert.Usage(completion["usage"]), OpenAIAssert.Usage(chunks[^1]["usage"]));
    }

    [Fact]
    public async Task CreateCompletion_OriginRemaskingWithSeed_SameTextTwice()
    {
        JsonObject body = Body();
        body["remasking"] = "origin";
        body["temperature"] = 0.8;

        using HttpResponseMessage first = await Client.PostCompletionAsync(body);
        using HttpResponseMessage second = await Client.PostCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        JsonObject a = await first.ReadJsonObjectAsync(), b = await second.ReadJsonObjectAsync();
        Assert.Equal(a["choices"]![0]!["text"]!.GetValue<string>(), b["choices"]![0]!["text"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("POST", "/v1/edits")]
    [InlineData("GET", "/v1/completions")]
    [InlineData("GET", "/")]
    [InlineData("GET", "/favicon.ico")]
    public async Task UnknownRouteOrMethod_Returns404InOpenAIShape(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        using HttpResponseMessage response = await Client.SendAsync(request);

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NotFoundError", null);
        Assert.Equal($"Unknown request URL: {method} {path}.", error["message"]!.GetValue<string>());
    }
}
