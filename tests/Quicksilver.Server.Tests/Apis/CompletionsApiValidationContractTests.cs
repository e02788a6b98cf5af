using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// Bad requests to <c>POST /v1/completions</c>: each gets its status and an OpenAI-shaped error naming the field, and
/// none reaches the exception-handling middleware (which would make it a 500). Model-agnostic: sizes come from the
/// model under test; run on <see cref="TestModel"/> and on a real tiny checkpoint.
/// </summary>
public abstract class CompletionsApiValidationContractTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, IApiFixture
{
    private HttpClient Client => fixture.Client;

    [Theory]
    [MemberData(nameof(CompletionsApiBadRequests.All), MemberType = typeof(CompletionsApiBadRequests))]
    public async Task CreateCompletion_BadRequest_Returns400NamingTheField(string body, string? param)
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(Fill(body));

        await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", param);
        Assert.Empty(fixture.Factory.Logs.UnhandledExceptions);
    }

    [Theory]
    [InlineData("[]", "an array")]
    [InlineData("5", "a number")]
    [InlineData("\"\\ud800\"", "a string")]
    public async Task CreateCompletion_BodyNotAnObject_Returns400SayingSo(string body, string kind)
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(body);

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", null);
        Assert.Equal($"The request body must be a JSON object, but got {kind} instead.", error["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"model\": \"$MODEL\", \"prompt\": \"And \u00FF God\"}", "prompt", "'prompt' is not valid Unicode text")]
    [InlineData("{\"model\": \"$MODEL\", \"prompt\": \"a\", \"stop\": [\"x\", \"\\n\u00FF\"]}", "stop[1]", "'stop[1]' is not valid Unicode text")]
    [InlineData("{\"model\": \"$MODEL\", \"prompt\": \"a\", \"\u00FF\": 1}", null, "A field name is not valid Unicode text")]
    public async Task CreateCompletion_BytesNotUtf8_Returns400NamingTheField(string body, string? param, string message)
    {
        // U+00FF stands for the byte 0xFF, which no UTF-8 text holds.
        byte[] bytes = [.. Fill(body).Select(c => c == '\u00FF' ? (byte)0xFF : (byte)c)];
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");

        using HttpResponseMessage response = await Client.PostAsync(new Uri("/v1/completions", UriKind.Relative), content);

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", param);
        Assert.StartsWith(message, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(fixture.Factory.Logs.UnhandledExceptions);
    }

    [Theory]
    [InlineData("{\"model\": \"$MODEL\", \"prompt\": \"a\", \"top_k\": 2147483648}", "top_k", "Invalid value for 'top_k': expected an integer of at most 2147483647, but got 2147483648 instead.")]
    [InlineData("{\"model\": \"$MODEL\", \"prompt\": [\"a\", 1]}", "prompt", "Invalid type for 'prompt[1]': expected a string, as prompt[0] is, but got a number instead.")]
    [InlineData("{\"model\": \"$MODEL\", \"prompt\": [[1], \"a\"]}", "prompt", "Invalid type for 'prompt[1]': expected an array of token ids, as prompt[0] is, but got a string instead.")]
    public async Task CreateCompletion_BadValue_MessageSaysWhatIsWrong(string body, string param, string message)
    {
        using HttpResponseMessage response = await Client.PostAsync(new Uri("/v1/completions", UriKind.Relative), new StringContent(Fill(body), System.Text.Encoding.UTF8, "application/json"));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", param);
        Assert.Equal(message, error["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateCompletion_NAboveLimit_Returns400NamingN(bool stream)
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(Fill($"{{\"model\": \"$MODEL\", \"prompt\": \"a\", \"n\": 9, \"stream\": {(stream ? "true" : "false")}}}"));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "n");
        Assert.Contains("at most 8", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
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

    [Theory]
    [InlineData("99999999999999999999999")]
    [InlineData("-9223372036854775809")]
    public async Task CreateCompletion_IntegerSeedPast64Bits_SaysItDoesNotFit(string seed)
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(Fill($"{{\"model\": \"$MODEL\", \"prompt\": \"a\", \"seed\": {seed}}}"));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "seed");
        Assert.Equal($"Invalid value for 'seed': {seed} does not fit in 64 bits.", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateCompletion_UnsupportedVllmField_SaysWhatWouldBeAccepted()
    {
        using HttpResponseMessage response = await Client.PostCompletionAsync(Fill("{\"model\": \"$MODEL\", \"prompt\": \"a\", \"min_p\": 0.05}"));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "min_p");
        Assert.Equal(
            "'min_p' (vLLM's parameter) is not supported by this server; leave it out or send 0, which has no effect. Got 0.05.",
            error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateCompletion_UnsupportedFieldWithALongValue_QuotesItCutBeforeACharacter()
    {
        string value = new string('a', 38) + "\U0001F600\U0001F600";

        using HttpResponseMessage response = await Client.PostCompletionAsync(Fill($"{{\"model\": \"$MODEL\", \"prompt\": \"a\", \"guided_regex\": \"{value}\"}}"));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "BadRequestError", "guided_regex");
        Assert.EndsWith($"Got \"{new string('a', 38)}….", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateCompletion_UnsupportedVllmFieldsAtTheirDefaults_Succeeds()
    {
        const string Defaults = "\"min_tokens\": 0, \"min_p\": 0.0, \"repetition_penalty\": 1, \"length_penalty\": 1.0, \"use_beam_search\": false, " +
            "\"stop_token_ids\": [], \"bad_words\": [], \"skip_special_tokens\": true, \"spaces_between_special_tokens\": true, " +
            "\"prompt_logprobs\": null, \"guided_json\": null, \"priority\": 0, \"logits_processors\": [], \"response_format\": {\"type\": \"text\"}, " +
            "\"prompt_embeds\": null";

        using HttpResponseMessage response = await Client.PostCompletionAsync(Fill($"{{\"model\": \"$MODEL\", \"prompt\": \"a\", \"max_tokens\": 2, {Defaults}}}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
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

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task CreateCompletion_CompressedBody_Returns415NamingTheEncoding(string encoding)
    {
        using var content = new StringContent(Fill("{\"model\": \"$MODEL\", \"prompt\": \"a\"}"), Encoding.UTF8, "application/json");
        content.Headers.ContentEncoding.Add(encoding);

        using HttpResponseMessage response = await Client.PostAsync(new Uri("/v1/completions", UriKind.Relative), content);

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaTypeError", null);
        Assert.Equal($"Unsupported Content-Encoding '{encoding}': send the request body uncompressed.", (string?)error["message"]);
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
