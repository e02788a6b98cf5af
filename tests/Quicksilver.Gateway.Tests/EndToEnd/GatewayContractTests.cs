using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Quicksilver.Gateway.Tests.Infrastructure;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>The gateway's wire contract, end to end: gateway and three pods on real loopback ports.</summary>
public sealed partial class GatewayContractTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private Platform Platform => fixture.Platform;

    [Fact]
    public async Task Completion_ThroughTheGateway_IsThePodsAnswer()
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Acme);
        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Quicksilver-Load"), "the pods' load header is internal");
        JsonObject answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("text_completion", (string?)answer["object"]);
        Assert.Equal(8, (int)answer["usage"]!["completion_tokens"]!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stream_ThroughTheGateway_IsByteForByteTheDirectStream(bool includeUsage)
    {
        JsonObject request = Platform.Completion(maxTokens: 24, stream: true);
        if (includeUsage)
        {
            request["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        using HttpClient gateway = Platform.Gateway.ClientFor(TestTenants.Acme);
        using var direct = new HttpClient { BaseAddress = Platform.Pods[1].Address };
        string viaGateway = await ReadBodyAsync(gateway, request);
        string directly = await ReadBodyAsync(direct, request);

        // Each answer has its own id and creation time, and its own measured device time; nothing else may differ.
        Assert.Equal(Normalize(directly), Normalize(viaGateway));
        IReadOnlyList<string> payloads = ServerSentEvents.ParseStrict(viaGateway);
        Assert.Equal(includeUsage, payloads[^1].Contains("\"choices\":[]", StringComparison.Ordinal));
        Assert.True(payloads.Count >= 3, "24 tokens in blocks of 8 stream as several events");
    }

    [Fact]
    public async Task Stream_ThroughTheGateway_ArrivesEventByEvent()
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Acme);
        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 64, stream: true));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var clock = Stopwatch.StartNew();
        string? first = await reader.ReadLineAsync();
        TimeSpan firstEvent = clock.Elapsed;
        string rest = await reader.ReadToEndAsync();
        TimeSpan lastEvent = clock.Elapsed;

        Assert.StartsWith("data: {", first, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
        // 64 tokens in 8 blocks of 8 steps each: the first block is relayed long before the eighth is computed.
        Assert.True(firstEvent < lastEvent / 2, $"first event after {firstEvent.TotalMilliseconds:0} ms, last after {lastEvent.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task MissingOrWrongApiKey_Is401InOpenAIShape()
    {
        using var anonymous = new HttpClient { BaseAddress = Platform.Gateway.Address };
        using HttpResponseMessage missing = await Platform.PostCompletionAsync(anonymous, Platform.Completion());
        await AssertErrorAsync(missing, HttpStatusCode.Unauthorized, "AuthenticationError", "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.", null);

        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "qs-wrong");
        using HttpResponseMessage wrong = await Platform.PostCompletionAsync(anonymous, Platform.Completion());
        await AssertErrorAsync(wrong, HttpStatusCode.Unauthorized, "AuthenticationError", "Incorrect API key provided.", null);

        using HttpResponseMessage models = await anonymous.GetAsync(new Uri("/v1/models", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
    }

    [Theory]
    [InlineData("/v1/foo", "{}")]
    [InlineData("/v1/embeddings", "{\"model\": \"quicksilver-tiny\", \"input\": \"x\"}")]
    [InlineData("/v1/models", "")]
    [InlineData("/v1/completions/extra", "{\"model\": \"nope\"}")]
    [InlineData("/v1/completions//", "{\"model\": \"quicksilver-tiny\", \"prompt\": \"x\"}")]
    public async Task PostToAPathThePodsDoNotServe_Is404UnknownUrl_WhateverTheBody(string path, string body)
    {
        using HttpClient acme = Platform.Gateway.ClientFor(TestTenants.Acme);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await acme.PostAsync(new Uri(path, UriKind.Relative), content);

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "NotFoundError", $"Unknown request URL: POST {path}.", null);
    }

    [Theory]
    [InlineData("/V1/models")]
    [InlineData("/V1/Models/quicksilver-tiny")]
    public async Task ApiPathInAnotherCase_StillNeedsTheKey(string path)
    {
        using var anonymous = new HttpClient { BaseAddress = Platform.Gateway.Address };
        using HttpResponseMessage response = await anonymous.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task GenerationPaths_MatchAsThePodsMatchThem_AnyCaseAndATrailingSlash()
    {
        using HttpClient acme = Platform.Gateway.ClientFor(TestTenants.Acme);
        foreach (string path in new[] { "/v1/Completions", "/v1/completions/", "/V1/completions" })
        {
            using HttpResponseMessage response = await acme.PostAsJsonAsync(new Uri(path, UriKind.Relative), Platform.Completion(maxTokens: 2));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task ModelOutsideTheTenantsAllowListOrUnknown_Is404_NoModel400()
    {
        using HttpClient restricted = Platform.Gateway.ClientFor(TestTenants.Restricted);
        using HttpResponseMessage forbidden = await Platform.PostCompletionAsync(restricted, Platform.Completion());
        await AssertErrorAsync(forbidden, HttpStatusCode.NotFound, "NotFoundError", "The model `quicksilver-tiny` does not exist or you do not have access to it.", "model");

        using HttpClient acme = Platform.Gateway.ClientFor(TestTenants.Acme);
        JsonObject unknown = Platform.Completion();
        unknown["model"] = "gpt-5";
        using HttpResponseMessage notFound = await Platform.PostCompletionAsync(acme, unknown);
        await AssertErrorAsync(notFound, HttpStatusCode.NotFound, "NotFoundError", "The model `gpt-5` does not exist or you do not have access to it.", "model");

        using HttpResponseMessage noModel = await Platform.PostCompletionAsync(acme, new JsonObject { ["prompt"] = "x" });
        await AssertErrorAsync(noModel, HttpStatusCode.BadRequest, "BadRequestError", "You must provide a model parameter.", "model");

        using HttpResponseMessage numberModel = await Platform.PostCompletionAsync(acme, new JsonObject { ["model"] = 5, ["prompt"] = "x" });
        await AssertErrorAsync(numberModel, HttpStatusCode.BadRequest, "BadRequestError", "Invalid type for 'model': expected a string, but got a number instead.", "model");
        using var surrogate = new StringContent("{\"model\": \"quicksilver-\\ud800\", \"prompt\": \"x\"}", Encoding.UTF8, "application/json");
        using HttpResponseMessage notText = await acme.PostAsync(new Uri("/v1/completions", UriKind.Relative), surrogate);
        await AssertErrorAsync(
            notText,
            HttpStatusCode.BadRequest,
            "BadRequestError",
            "'model' is not valid Unicode text: it holds a lone surrogate escape (such as \\ud800) or bytes that are not UTF-8.",
            "model");

        using var notJson = new StringContent("{not json", Encoding.UTF8, "application/json");
        using HttpResponseMessage malformed = await acme.PostAsync(new Uri("/v1/completions", UriKind.Relative), notJson);
        await AssertErrorAsync(malformed, HttpStatusCode.BadRequest, "BadRequestError", "We could not parse the JSON body of your request.", null);

        using var array = new StringContent("[]", Encoding.UTF8, "application/json");
        using HttpResponseMessage notObject = await acme.PostAsync(new Uri("/v1/completions", UriKind.Relative), array);
        await AssertErrorAsync(notObject, HttpStatusCode.BadRequest, "BadRequestError", "The request body must be a JSON object, but got an array instead.", null);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BodyOverTheLimit_Is413InOpenAIShape(bool declaredLength)
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Acme);
        JsonObject request = Platform.Completion(prompt: new string('x', 1024 * 1024 + 1));
        using HttpContent content = declaredLength
            ? new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json")
            : JsonContent.Create(request); // streamed: chunked, no Content-Length
        using HttpResponseMessage response = await client.PostAsync(new Uri("/v1/completions", UriKind.Relative), content);

        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "RequestTooLargeError", "The request body is larger than the limit of 1048576 bytes.", null);
        Assert.True(response.Headers.ConnectionClose, "the body's rest is not read as a next request: the connection is not reused");
    }

    /// <summary>
    /// A client still sending a body answered early — refused for its size by the gateway or by a pod called directly, or
    /// refused a bad API key by the gateway before it reads the body — gets to send the rest, and the connection then
    /// closes rather than resets: closed with bytes unread, the kernel resets it, and the reset can overtake the answer
    /// (the suite once saw HttpClient fail with "Broken pipe" instead of getting its 413).
    /// </summary>
    [Theory]
    [InlineData("gateway", 413)]
    [InlineData("pod", 413)]
    [InlineData("gateway, bad key", 401)]
    public async Task BodyAnsweredEarly_TheRestIsTakenIn_AndTheConnectionClosesRatherThanResets(string target, int expected)
    {
        const int bodyBytes = (1024 * 1024) + (1024 * 1024);
        Uri address = target.StartsWith("gateway", StringComparison.Ordinal) ? Platform.Gateway.Address : Platform.Pods[0].Address;
        string key = expected == 401 ? "qs-not-a-key" : TestTenants.KeyOf(TestTenants.Acme);
        string head = string.Join("\r\n",
            "POST /v1/completions HTTP/1.1",
            $"Host: {address.Authority}",
            $"Authorization: Bearer {key}",
            "Content-Type: application/json",
            $"Content-Length: {bodyBytes}");

        (int status, bool restSent, bool endedCleanly) = await RawHttp.SendPastAnEarlyAnswerAsync(address, head, bodyBytes, sentBeforeAnswer: 1024);

        Assert.Equal(expected, status);
        Assert.True(restSent, "the server stopped taking the body after its answer");
        Assert.True(endedCleanly, "the connection was reset, not closed");
    }

    [Fact]
    public async Task CompressedBody_Is415InOpenAIShape()
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Acme);
        using var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(Platform.Completion().ToJsonString()));
        }

        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        using HttpResponseMessage response = await client.PostAsync(new Uri("/v1/completions", UriKind.Relative), content);

        await AssertErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaTypeError", "Unsupported Content-Encoding 'gzip': send the request body uncompressed.", null);
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked", "ZZZ\r\n", 400, "BadRequestError")] // not a chunk size
    [InlineData("Content-Length: 100", "{\"model\":", 408, "RequestTimeoutError")] // stops short: Kestrel's minimum data rate ends it after 5 s
    public async Task BodyNotSentWhole_IsNamedForWhatWentWrong_NotTooLarge(string framing, string body, int status, string type)
    {
        string head = string.Join("\r\n",
            "POST /v1/completions HTTP/1.1",
            $"Host: {Platform.Gateway.Address.Authority}",
            $"Authorization: Bearer {TestTenants.KeyOf(TestTenants.Acme)}",
            "Content-Type: application/json",
            framing);

        (int answered, string error) = await RawHttp.ExchangeAsync(Platform.Gateway.Address, head, body, TimeSpan.FromSeconds(30));

        Assert.Equal(status, answered);
        Assert.Equal(type, (string?)JsonNode.Parse(error)!["error"]!["type"]);
        Assert.Equal(status, (int)JsonNode.Parse(error)!["error"]!["code"]!);
    }

    [Fact]
    public async Task ChatCompletion_ThroughTheGateway_StreamsTheRoleThenContent()
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Acme);
        var request = new JsonObject
        {
            ["model"] = GatewayServer.Model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hello" }),
            ["max_completion_tokens"] = 8,
            ["temperature"] = 0,
            ["stream"] = true,
        };
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/v1/chat/completions", UriKind.Relative), request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyList<string> payloads = ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync());
        Assert.Equal("assistant", (string?)JsonNode.Parse(payloads[0])!["choices"]![0]!["delta"]!["role"]);
        Assert.Equal("chat.completion.chunk", (string?)JsonNode.Parse(payloads[^1])!["object"]);
    }

    [Fact]
    public async Task ModelsList_ShowsThePodsCard_OnlyToTenantsAllowedTheModel()
    {
        using HttpClient acme = Platform.Gateway.ClientFor(TestTenants.Acme);
        JsonObject list = (await acme.GetFromJsonAsync<JsonObject>(new Uri("/v1/models", UriKind.Relative)))!;
        JsonNode card = Assert.Single(list["data"]!.AsArray())!;
        Assert.Equal("quicksilver-tiny", (string?)card["id"]);
        Assert.Equal(1024, (int)card["context_length"]!);

        using HttpClient restricted = Platform.Gateway.ClientFor(TestTenants.Restricted);
        JsonObject none = (await restricted.GetFromJsonAsync<JsonObject>(new Uri("/v1/models", UriKind.Relative)))!;
        Assert.Empty(none["data"]!.AsArray());
    }

    [Fact]
    public async Task RetrieveModel_IsTheListedCard_And404ForAModelTheTenantCannotSee()
    {
        using HttpClient acme = Platform.Gateway.ClientFor(TestTenants.Acme);
        JsonNode listed = (await acme.GetFromJsonAsync<JsonObject>(new Uri("/v1/models", UriKind.Relative)))!["data"]![0]!;
        JsonObject card = (await acme.GetFromJsonAsync<JsonObject>(new Uri("/v1/models/quicksilver-tiny", UriKind.Relative)))!;
        Assert.Equal(listed.ToJsonString(), card.ToJsonString());

        using HttpResponseMessage unknown = await acme.GetAsync(new Uri("/v1/models/org%2Fno-such-model", UriKind.Relative));
        await AssertErrorAsync(unknown, HttpStatusCode.NotFound, "NotFoundError", "The model `org/no-such-model` does not exist or you do not have access to it.", "model");
        using HttpClient restricted = Platform.Gateway.ClientFor(TestTenants.Restricted);
        using HttpResponseMessage hidden = await restricted.GetAsync(new Uri("/v1/models/quicksilver-tiny", UriKind.Relative));
        await AssertErrorAsync(hidden, HttpStatusCode.NotFound, "NotFoundError", "The model `quicksilver-tiny` does not exist or you do not have access to it.", "model");
    }

    [Fact]
    public async Task RequestsPerMinute_Exceeded_Is429WithRetryAfter()
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Limited);
        for (int i = 0; i < 2; i++)
        {
            using HttpResponseMessage allowed = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Equal("2", Header(allowed, "x-ratelimit-limit-requests"));
            Assert.Equal((1 - i).ToString(CultureInfo.InvariantCulture), Header(allowed, "x-ratelimit-remaining-requests"));
            Assert.Matches("^([0-9]+m)?[0-9.]+s$", Header(allowed, "x-ratelimit-reset-requests"));
            Assert.False(allowed.Headers.Contains("x-ratelimit-limit-tokens"), "the tenant has no tokens-per-minute limit");
        }

        using HttpResponseMessage refused = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));
        await AssertErrorAsync(refused, HttpStatusCode.TooManyRequests, "RateLimitError", "Rate limit reached for requests per minute (2).", null);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 30);
        Assert.Equal("0", Header(refused, "x-ratelimit-remaining-requests"));
    }

    [Fact]
    public async Task AnswerToATenantWithoutLimits_HasNoRateLimitHeaders()
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Acme);
        using HttpResponseMessage answer = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.DoesNotContain(answer.Headers, header => header.Key.StartsWith("x-ratelimit-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task TokensPerMinute_SpentByAnAnswer_RefusesTheNextRequestWithRetryAfter()
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Frugal);
        using (HttpResponseMessage first = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 48, stream: true)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("30", Header(first, "x-ratelimit-limit-tokens"));
            Assert.Equal("30", Header(first, "x-ratelimit-remaining-tokens"));
            Assert.Equal("0ms", Header(first, "x-ratelimit-reset-tokens"));
            _ = await first.Content.ReadAsStringAsync(); // the usage (5 + 48 tokens > 30, 46 s owed) is debited as the stream ends
        }

        using HttpResponseMessage refused = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));
        await AssertErrorAsync(refused, HttpStatusCode.TooManyRequests, "RateLimitError", "Rate limit reached for tokens per minute (30).", null);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Equal("0", Header(refused, "x-ratelimit-remaining-tokens"));
        Assert.Matches("^1m[0-9.]+s$", Header(refused, "x-ratelimit-reset-tokens")); // 53 tokens owed back to 30 left: over a minute
    }

    [Fact]
    public async Task BothLimitsSpent_RetryAfterIsTheLongerWait()
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Squeezed);
        using (HttpResponseMessage first = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 24, stream: true)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            _ = await first.Content.ReadAsStringAsync(); // 5 + 24 tokens against 20 a minute: 27 s owed
        }

        // The budget refuses first, owing seconds (enough that a slow machine still finds it spent); the one request
        // permit takes a minute to come back.
        using HttpResponseMessage refused = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));
        await AssertErrorAsync(refused, HttpStatusCode.TooManyRequests, "RateLimitError", "Rate limit reached for tokens per minute (20).", null);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 55, 60);
    }

    [Fact]
    public async Task LimitsSpent_RefuseOnlyValidRequestsForThePods()
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Spent);
        using (HttpResponseMessage first = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 24, stream: true)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            _ = await first.Content.ReadAsStringAsync(); // the one request a minute, and 5 + 24 tokens against 20
        }

        using HttpResponseMessage refused = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);

        using HttpResponseMessage models = await client.GetAsync(new Uri("/v1/models", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        using HttpResponseMessage card = await client.GetAsync(new Uri("/v1/models/quicksilver-tiny", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, card.StatusCode);
        using var empty = new StringContent("{}", Encoding.UTF8, "application/json");
        using HttpResponseMessage unknownPath = await client.PostAsync(new Uri("/v1/foo", UriKind.Relative), empty);
        await AssertErrorAsync(unknownPath, HttpStatusCode.NotFound, "NotFoundError", "Unknown request URL: POST /v1/foo.", null);
        using var notJson = new StringContent("{not json", Encoding.UTF8, "application/json");
        using HttpResponseMessage malformed = await client.PostAsync(new Uri("/v1/completions", UriKind.Relative), notJson);
        await AssertErrorAsync(malformed, HttpStatusCode.BadRequest, "BadRequestError", "We could not parse the JSON body of your request.", null);
        JsonObject unknown = Platform.Completion();
        unknown["model"] = "gpt-5";
        using HttpResponseMessage notFound = await Platform.PostCompletionAsync(client, unknown);
        await AssertErrorAsync(notFound, HttpStatusCode.NotFound, "NotFoundError", "The model `gpt-5` does not exist or you do not have access to it.", "model");
    }

    [Fact]
    public async Task TenantHeaderFromTheClient_IsReplacedByTheKeysTenant()
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Globex);
        using HttpResponseMessage response = await PostAsTenantAsync(client, "acme", kind: "spoof");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        (string Kind, string? Tenant) received = Assert.Single(Platform.Pods.SelectMany(p => p.Tenants), r => r.Kind == "spoof");
        Assert.Equal("globex", received.Tenant);
    }

    [Fact]
    public async Task TenantHeaderSentStraightToAPod_WithoutTheGatewaysKey_Is401()
    {
        using var direct = new HttpClient { BaseAddress = Platform.Pods[0].Address };
        using HttpResponseMessage response = await PostAsTenantAsync(direct, "acme", kind: "spoof-direct");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        JsonObject error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.AsObject();
        Assert.Equal("AuthenticationError", (string?)error["type"]);
        Assert.Equal("invalid_gateway_key", (string?)error["code"]);
    }

    [Fact]
    public async Task ClientDisconnect_CancelsThePodsWork()
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Acme);
        JsonObject longAnswer = Platform.Completion(maxTokens: 512, stream: true);
        using (var cancel = new CancellationTokenSource())
        {
            HttpResponseMessage response = await Platform.PostCompletionAsync(client, longAnswer, kind: "disconnect", cancel.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await Wait.UntilAsync(() => InFlight("disconnect") == 1, TimeSpan.FromSeconds(10), "the pod to run the generation");
            cancel.Cancel();
            response.Dispose();
        }

        // 512 steps over a 517-token canvas take tens of seconds on this model; the pod must let go within a few.
        var clock = Stopwatch.StartNew();
        await Wait.UntilAsync(() => InFlight("disconnect") == 0, TimeSpan.FromSeconds(10), "the pod to drop the cancelled generation");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Prompts_AreNotLogged()
    {
        string secret = $"my-secret-prompt-{Guid.NewGuid():N}";
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Acme);
        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2, prompt: secret));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.NotEmpty(Platform.Gateway.Logs.Entries);
        Assert.DoesNotContain(Platform.Gateway.Logs.Entries, entry => entry.Message.Contains(secret, StringComparison.Ordinal));
    }

    /// <summary>A short completion that claims to be <paramref name="tenant"/>'s, with a guessed gateway key.</summary>
    private static async Task<HttpResponseMessage> PostAsTenantAsync(HttpClient client, string tenant, string kind)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(Platform.Completion(maxTokens: 2)) };
        request.Headers.Add("X-Quicksilver-Tenant", tenant);
        request.Headers.Add("X-Quicksilver-Gateway-Key", "guessed-key-0123456789");
        request.Headers.Add("X-Test-Kind", kind);
        return await client.SendAsync(request);
    }

    private int InFlight(string kind) => Platform.Pods.Sum(p => p.InFlight.GetValueOrDefault(kind));

    private static async Task<string> ReadBodyAsync(HttpClient client, JsonObject request)
    {
        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static string Normalize(string body) => VariableFields().Replace(body, "\"$1\":_");

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type, string message, string? param)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(("application/json", "utf-8"), (response.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentType?.CharSet));
        JsonObject error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.AsObject();
        Assert.Equal(
            new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = (int)status }.ToJsonString(),
            error.ToJsonString());
    }

    [GeneratedRegex("\"(id|created|gpu_seconds|cost_usd)\":(\"[^\"]*\"|[0-9.eE+-]+)")]
    private static partial Regex VariableFields();

    private static string Header(HttpResponseMessage response, string name) => Assert.Single(response.Headers.GetValues(name));
}
