using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// <c>POST /v1/chat/completions</c>: shapes, framing, usage and the templated prompt, for any model with the LLaMA-3
/// chat template. Run on the fake engine (<see cref="ChatCompletionsApiTests"/>) and on the embedded model
/// (<see cref="ChatCompletionsApiEmbeddedModelTests"/>).
/// </summary>
public abstract class ChatCompletionsApiContractTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, IApiFixture
{
    private const int MaxTokens = 24;

    private HttpClient Client => fixture.Client;

    private string Model => fixture.Factory.Model.Id;

    private int RenderedPromptTokens => fixture.Factory.Model.Tokenizer.Encode(ChatConversation.RenderedPrompt).Count;

    private static JsonArray Messages() =>
    [
        new JsonObject { ["role"] = "system", ["content"] = ChatConversation.System },
        new JsonObject { ["role"] = "user", ["content"] = ChatConversation.User },
    ];

    private JsonObject Body(bool stream = false) => new()
    {
        ["model"] = Model,
        ["messages"] = Messages(),
        ["max_completion_tokens"] = MaxTokens,
        ["temperature"] = 0,
        ["seed"] = 7,
        ["stream"] = stream,
    };

    [Fact]
    public async Task CreateChatCompletion_NonStream_ReturnsChatCompletion()
    {
        using HttpResponseMessage response = await Client.PostChatCompletionAsync(Body());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        JsonObject completion = await response.ReadJsonObjectAsync();
        JsonArray choices = ChatAssert.Envelope(completion, Model);
        ChatAssert.Choice(Assert.Single(choices));
    }

    [Fact]
    public async Task CreateChatCompletion_NonStream_UsageCountsTheTemplatedPromptAndTheAnswer()
    {
        using HttpResponseMessage response = await Client.PostChatCompletionAsync(Body());

        JsonObject completion = await response.ReadJsonObjectAsync();
        (int prompt, int generated) = OpenAIAssert.Usage(completion["usage"]);
        Assert.Equal(RenderedPromptTokens, prompt);
        Assert.InRange(generated, 0, MaxTokens);
        if (ChatAssert.Choice(completion["choices"]![0]).FinishReason == "length")
        {
            Assert.Equal(MaxTokens, generated);
        }
    }

    [Fact]
    public async Task CreateChatCompletion_DeveloperRoleAndTextParts_RenderAsSystemAndJoinedText()
    {
        JsonObject body = Body();
        body["messages"] = new JsonArray(
            new JsonObject { ["role"] = "developer", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = ChatConversation.System }) },
            new JsonObject
            {
                ["role"] = "user",
                ["name"] = "ada",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Name" }, new JsonObject { ["type"] = "text", ["text"] = "a metal." }),
            });

        using HttpResponseMessage response = await Client.PostChatCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string joined = ChatConversation.RenderedPrompt.Replace("Name a metal.", "Name\na metal.", StringComparison.Ordinal);
        Assert.Equal(fixture.Factory.Model.Tokenizer.Encode(joined).Count, OpenAIAssert.Usage((await response.ReadJsonObjectAsync())["usage"]).Prompt);
    }

    [Fact]
    public async Task CreateChatCompletion_AssistantRefusalPart_RendersAsItsText()
    {
        JsonObject Conversation(JsonNode assistantContent)
        {
            JsonObject body = Body();
            body["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "Name a metal." },
                new JsonObject { ["role"] = "assistant", ["content"] = assistantContent },
                new JsonObject { ["role"] = "user", ["content"] = "Why not?" });
            return body;
        }

        using HttpResponseMessage refused = await Client.PostChatCompletionAsync(Conversation(new JsonArray(new JsonObject { ["type"] = "refusal", ["refusal"] = "I cannot say." })));
        using HttpResponseMessage said = await Client.PostChatCompletionAsync(Conversation("I cannot say."));

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal(
            OpenAIAssert.Usage((await said.ReadJsonObjectAsync())["usage"]).Prompt,
            OpenAIAssert.Usage((await refused.ReadJsonObjectAsync())["usage"]).Prompt);
    }

    [Fact]
    public async Task CreateChatCompletion_ModelOmittedUnknownFieldsAndNoOpOptions_ServesTheModel()
    {
        JsonObject body = Body();
        body.Remove("model");
        body.Remove("max_completion_tokens");
        body["max_tokens"] = MaxTokens;
        body["frobnicate"] = new JsonObject { ["x"] = 1 };
        body["user"] = "someone";
        body["logprobs"] = false;
        body["top_logprobs"] = 0;
        body["n"] = 1;
        body["top_p"] = 1;
        body["tools"] = new JsonArray();
        body["tool_choice"] = "none";
        body["response_format"] = new JsonObject { ["type"] = "text" };
        body["logit_bias"] = new JsonObject();
        body["parallel_tool_calls"] = false;
        body["store"] = false;

        using HttpResponseMessage response = await Client.PostChatCompletionAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        ChatAssert.Envelope(await response.ReadJsonObjectAsync(), Model);
    }

    [Fact]
    public async Task CreateChatCompletion_Stream_EveryEventIsOneDataLineAndRoleComesFirst()
    {
        using HttpResponseMessage response = await Client.PostChatCompletionAsync(Body(stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache, "Cache-Control: no-cache expected");
        string body = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(body));
        ChatAssert.Stream(chunks, Model, includeUsage: false);
    }

    [Fact]
    public async Task CreateChatCompletion_StreamWithIncludeUsage_EndsWithUsageChunkWithoutChoices()
    {
        JsonObject body = Body(stream: true);
        body["stream_options"] = new JsonObject { ["include_usage"] = true };

        using HttpResponseMessage response = await Client.PostChatCompletionAsync(body);

        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync()));
        (_, _, JsonNode? usage) = ChatAssert.Stream(chunks, Model, includeUsage: true);
        (int prompt, int generated) = OpenAIAssert.Usage(usage);
        Assert.Equal(RenderedPromptTokens, prompt);
        Assert.InRange(generated, 0, MaxTokens);
    }

    [Fact]
    public async Task CreateChatCompletion_GreedyWithSeed_StreamedContentEqualsNonStreamContent()
    {
        using HttpResponseMessage whole = await Client.PostChatCompletionAsync(Body());
        JsonObject completion = await whole.ReadJsonObjectAsync();
        JsonObject streamBody = Body(stream: true);
        streamBody["stream_options"] = new JsonObject { ["include_usage"] = true };

        using HttpResponseMessage streamed = await Client.PostChatCompletionAsync(streamBody);

        IReadOnlyList<JsonObject> chunks = OpenAIAssert.Chunks(ServerSentEvents.ParseStrict(await streamed.Content.ReadAsStringAsync()));
        (string content, string finish, JsonNode? usage) = ChatAssert.Stream(chunks, Model, includeUsage: true);
        Assert.Equal(ChatAssert.Choice(completion["choices"]![0]), (content, finish));
        Assert.Equal(OpenAIAssert.Usage(completion["usage"]), OpenAIAssert.Usage(usage));
    }
}
