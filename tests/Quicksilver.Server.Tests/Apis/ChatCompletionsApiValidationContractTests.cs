using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Engine.Tokenization.ChatTemplates;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// Bad requests to <c>POST /v1/chat/completions</c>: each gets its status and an OpenAI-shaped error naming the field,
/// and none reaches the exception-handling middleware (which would make it a 500). Model-agnostic: sizes come from
/// the model under test; run on the fake engine and on the embedded model.
/// </summary>
public abstract class ChatCompletionsApiValidationContractTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, IApiFixture
{
    private HttpClient Client => fixture.Client;

    [Theory]
    [MemberData(nameof(ChatCompletionsApiBadRequests.All), MemberType = typeof(ChatCompletionsApiBadRequests))]
    public async Task CreateChatCompletion_BadRequest_Returns400NamingTheField(string body, string? param)
    {
        using HttpResponseMessage response = await Client.PostChatCompletionAsync(Fill(body));

        await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", param);
        Assert.Empty(fixture.Factory.Logs.UnhandledExceptions);
    }

    [Theory]
    [InlineData("{\"role\": \"function\", \"content\": \"42\", \"name\": \"f\"}", "messages[0].role", "Messages with role 'function' are deprecated and not supported: answer a tool call with a message of role 'tool'.")]
    [InlineData("{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"https://example.com/a.png\"}}]}", "messages[0].content", "Content parts of type 'image_url' are not supported ('messages[0].content[0]'): this model reads text only; send parts of type 'text'.")]
    public async Task CreateChatCompletion_UnsupportedMessage_SaysWhatIsNotSupported(string message, string param, string expected)
    {
        using HttpResponseMessage response = await Client.PostChatCompletionAsync(Fill($"{{\"model\": \"$MODEL\", \"messages\": [{message}]}}"));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", param);
        Assert.Equal(expected, error["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateChatCompletion_NAboveLimit_Returns400NamingN(bool stream)
    {
        using HttpResponseMessage response = await Client.PostChatCompletionAsync(Body(stream: stream, extra: "\"n\": 9"));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "n");
        Assert.Contains("at most 8", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateChatCompletion_UnknownModel_Returns404WithOpenAIMessage()
    {
        using HttpResponseMessage response = await Client.PostChatCompletionAsync("{\"model\": \"gpt-5\", \"messages\": [{\"role\": \"user\", \"content\": \"a\"}]}");

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NotFoundError", "model");
        Assert.Equal("The model `gpt-5` does not exist.", error["message"]!.GetValue<string>());
        Assert.Empty(fixture.Factory.Logs.UnhandledExceptions);
    }

    [Fact]
    public async Task CreateChatCompletion_MessagesFillTheContext_Returns400OnMessages()
    {
        string content = ContentOfAtLeast(fixture.Factory.Model.ContextLength);

        using HttpResponseMessage response = await Client.PostChatCompletionAsync(Fill(
            $"{{\"model\": \"$MODEL\", \"messages\": [{{\"role\": \"user\", \"content\": \"{content}\"}}], \"max_completion_tokens\": 1}}"));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "messages");
        Assert.Contains($"maximum context length is {fixture.Factory.Model.ContextLength} tokens", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("max_completion_tokens")]
    [InlineData("max_tokens")]
    public async Task CreateChatCompletion_PromptPlusMaxTokensOverContext_Returns400NamingTheFieldGiven(string field)
    {
        int context = fixture.Factory.Model.ContextLength;

        using HttpResponseMessage response = await Client.PostChatCompletionAsync(Body(extra: $"\"{field}\": {Math.Min(context, 1024)}"));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", field);
        Assert.Contains($"maximum context length is {context} tokens", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateChatCompletion_UnsupportedFieldsAtTheirDefaults_Succeeds()
    {
        using HttpResponseMessage response = await Client.PostChatCompletionAsync(Body(extra:
            "\"max_completion_tokens\": 2, \"modalities\": [\"text\"], \"echo\": false, \"audio\": null, \"min_tokens\": 0, \"skip_special_tokens\": true, " +
            "\"best_of\": 1, \"verbosity\": \"medium\", \"documents\": [], \"stream\": false"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task CreateChatCompletion_PromptPlusMaxTokensFillsContextExactly_Succeeds()
    {
        var messages = new[] { new ChatMessage(ChatRoles.User, "a") };
        int prompt = fixture.Factory.Model.Tokenizer.Encode(fixture.Factory.Model.ChatTemplate!.Render(messages, addGenerationPrompt: true)).Count;
        int room = fixture.Factory.Model.ContextLength - prompt;

        // One block in one step: the real engine fills the whole room in a single forward pass.
        using HttpResponseMessage response = await Client.PostChatCompletionAsync(Body(extra: $"\"max_completion_tokens\": {room}, \"steps\": 1, \"block_length\": {room}, \"temperature\": 0"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json; charset=utf-16")]
    public async Task CreateChatCompletion_NotJsonContentType_Returns415(string contentType)
    {
        using HttpResponseMessage response = await Client.PostChatCompletionAsync(Body(), contentType);

        await OpenAIAssert.ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaTypeError", null);
    }

    private string Body(bool stream = false, string? extra = null) =>
        Fill($"{{\"model\": \"$MODEL\", \"messages\": [{{\"role\": \"user\", \"content\": \"a\"}}], \"stream\": {(stream ? "true" : "false")}{(extra is null ? "" : ", " + extra)}}}");

    private string Fill(string body) => body.Replace("$MODEL", fixture.Factory.Model.Id, StringComparison.Ordinal);

    /// <summary>A content whose rendered prompt has at least <paramref name="tokens"/> tokens in the model's tokenizer.</summary>
    private string ContentOfAtLeast(int tokens)
    {
        string content = "one two three ";
        while (fixture.Factory.Model.Tokenizer.Encode(content).Count < tokens)
        {
            content += content;
        }

        return content;
    }
}
