using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// Bad requests to <c>POST /v1/completions</c>: each gets its status and an OpenAI-shaped error naming the field, and
/// none reaches the exception-handling middleware (which would make it a 500). Model-agnostic: sizes come from the
/// model under test.
/// </summary>
public sealed class CompletionsApiValidationTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private HttpClient Client => fixture.Client;

    /// <summary>Bodies with <c>$MODEL</c> and <c>$VOCAB</c> (the vocabulary size) filled in, and the 400's <c>param</c>.</summary>
    public static TheoryData<string, string?> BadRequests => new()
    {
        // Not a JSON object.
        { "", null },
        { "{", null },
        { "not json", null },
        { "[]", null },
        { "\"prompt\"", null },
        { "null", null },
        { "{\"prompt\": \"a\",}", null },
        // prompt
        { "{\"model\": \"$MODEL\"}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": null}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"\"}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": []}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [\"\"]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [\"a\", \"b\"]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [\"a\", 1]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [1, \"a\"]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [[1], [2]]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [[]]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [[1, \"a\"]]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [-1]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [$VOCAB]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [[5, $VOCAB]]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [99999999999999999999]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [1.5]}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": 5}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": true}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": {}}", "prompt" },
        { "{\"model\": \"$MODEL\", \"prompt\": [null]}", "prompt" },
        // model
        { "{\"model\": 5, \"prompt\": \"a\"}", "model" },
        { "{\"model\": [\"$MODEL\"], \"prompt\": \"a\"}", "model" },
        // max_tokens
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": \"x\"}", "max_tokens" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": 0}", "max_tokens" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": -1}", "max_tokens" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": 1.5}", "max_tokens" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": 1e30}", "max_tokens" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": 1025}", "max_tokens" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": true}", "max_tokens" },
        // temperature, top_p, penalties
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"temperature\": []}", "temperature" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"temperature\": \"hot\"}", "temperature" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"temperature\": -0.1}", "temperature" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"temperature\": 2.01}", "temperature" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"temperature\": 1e999}", "temperature" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"top_p\": 0}", "top_p" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"top_p\": 1.5}", "top_p" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"top_p\": \"x\"}", "top_p" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"presence_penalty\": 3}", "presence_penalty" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"frequency_penalty\": \"x\"}", "frequency_penalty" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"logit_bias\": {\"5\": 10}}", "logit_bias" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"logit_bias\": [1]}", "logit_bias" },
        // n, best_of
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"n\": 2}", "n" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"n\": 0}", "n" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"n\": \"x\"}", "n" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"best_of\": 3}", "best_of" },
        // not supported yet
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"logprobs\": 1}", "logprobs" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"logprobs\": 0}", "logprobs" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"logprobs\": \"x\"}", "logprobs" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"echo\": true}", "echo" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"echo\": \"yes\"}", "echo" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"suffix\": \" world\"}", "suffix" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"suffix\": 5}", "suffix" },
        // stream, stream_options
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stream\": \"yes\"}", "stream" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stream_options\": {\"include_usage\": true}}", "stream_options" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stream\": false, \"stream_options\": {}}", "stream_options" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stream\": true, \"stream_options\": \"x\"}", "stream_options" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stream\": true, \"stream_options\": {\"include_usage\": 1}}", "stream_options.include_usage" },
        // stop, seed, user
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stop\": 5}", "stop" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}", "stop" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stop\": [\"\"]}", "stop" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stop\": [1]}", "stop" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"seed\": \"x\"}", "seed" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"seed\": 1.5}", "seed" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"seed\": 1e30}", "seed" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"user\": 5}", "user" },
        // diffusion extension fields
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"steps\": 0}", "steps" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"steps\": \"many\"}", "steps" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"block_length\": 0}", "block_length" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"block_length\": 2.5}", "block_length" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"remasking\": \"sideways\"}", "remasking" },
        { "{\"model\": \"$MODEL\", \"prompt\": \"a\", \"remasking\": 1}", "remasking" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task CreateCompletion_BadRequest_Returns400NamingTheField(string body, string? param)
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(Fill(body));

        await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", param);
        Assert.Empty(fixture.Factory.Logs.UnhandledExceptions);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateCompletion_NSetTo2_SaysNotSupportedYet(bool stream)
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(Fill($"{{\"model\": \"$MODEL\", \"prompt\": \"a\", \"n\": 2, \"stream\": {(stream ? "true" : "false")}}}"));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "n");
        Assert.Equal("n > 1 is not supported yet.", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateCompletion_UnknownModel_Returns404WithOpenAIMessage()
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync("{\"model\": \"gpt-5\", \"prompt\": \"a\"}");

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NotFoundError", "model");
        Assert.Equal("The model `gpt-5` does not exist.", error["message"]!.GetValue<string>());
        Assert.Empty(fixture.Factory.Logs.UnhandledExceptions);
    }

    [Fact]
    public async Task CreateCompletion_PromptFillsTheContext_Returns400OnPrompt()
    {
        int context = fixture.Factory.Model.ContextLength;

        using HttpResponseMessage response = await Client.PostCompletionAsync(Fill($"{{\"model\": \"$MODEL\", \"prompt\": {TokenIds(context)}, \"max_tokens\": 1}}"));

        await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "prompt");
    }

    [Fact]
    public async Task CreateCompletion_PromptPlusMaxTokensOverContext_Returns400OnMaxTokens()
    {
        int context = fixture.Factory.Model.ContextLength;

        using HttpResponseMessage response = await Client.PostCompletionAsync(Fill($"{{\"model\": \"$MODEL\", \"prompt\": {TokenIds(context - 4)}, \"max_tokens\": 5}}"));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "max_tokens");
        Assert.Contains($"maximum context length is {context} tokens", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateCompletion_PromptPlusMaxTokensFillsContextExactly_Succeeds()
    {
        int context = fixture.Factory.Model.ContextLength;

        using HttpResponseMessage response = await Client.PostCompletionAsync(Fill($"{{\"model\": \"$MODEL\", \"prompt\": {TokenIds(context - 4)}, \"max_tokens\": 4}}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=utf-16")]
    public async Task CreateCompletion_NotJsonContentType_Returns415(string contentType)
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(Fill("{\"model\": \"$MODEL\", \"prompt\": \"a\"}"), contentType);

        await OpenAIAssert.ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaTypeError", null);
        Assert.Empty(fixture.Factory.Logs.UnhandledExceptions);
    }

    [Fact]
    public async Task CreateCompletion_BodyOverTheLimit_Returns413()
    {
        string body = Fill($"{{\"model\": \"$MODEL\", \"prompt\": \"{new string('a', 1024 * 1024)}\"}}");

        using HttpResponseMessage response = await Client.PostCompletionAsync(body);

        await OpenAIAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "RequestTooLargeError", null);
        Assert.Empty(fixture.Factory.Logs.UnhandledExceptions);
    }

    [Fact]
    public async Task CreateCompletion_ChunkedBodyOverTheLimit_Returns413()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Fill($"{{\"model\": \"$MODEL\", \"prompt\": \"{new string('a', 1024 * 1024)}\"}}"));
        using var content = new StreamContent(new MemoryStream(bytes));
        content.Headers.ContentType = new("application/json");

        using HttpResponseMessage response = await Client.PostAsync(new Uri("/v1/completions", UriKind.Relative), content);

        await OpenAIAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "RequestTooLargeError", null);
    }

    private string Fill(string body) => body
        .Replace("$MODEL", fixture.Factory.Model.Id, StringComparison.Ordinal)
        .Replace("$VOCAB", fixture.Factory.Model.Tokenizer.VocabSize.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static string TokenIds(int count) => new JsonArray([.. Enumerable.Repeat(5, count).Select(i => (JsonNode)i)]).ToJsonString();
}
