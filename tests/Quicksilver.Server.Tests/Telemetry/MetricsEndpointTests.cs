using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Telemetry.Tests;

/// <summary>
/// FAKE ENGINE: <c>GET /metrics</c> after completions: the GenAI histograms, token counts and diffusion throughput,
/// under their Prometheus names.
/// </summary>
[Trait("Engine", "Fake")]
[Collection(TelemetryTestGroup.Name)]
public sealed class MetricsEndpointTests
{
    private static readonly Uri Metrics = new("/metrics", UriKind.Relative);

    [Fact]
    public async Task Metrics_AfterACompletion_HasGenAiHistogramsAndTokenCounts()
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create());
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello", ["max_tokens"] = 64 });
        JsonObject usage = (await response.ReadJsonObjectAsync())["usage"]!.AsObject();
        int promptTokens = usage["prompt_tokens"]!.GetValue<int>();
        int completionTokens = usage["completion_tokens"]!.GetValue<int>();
        (string text, IReadOnlyList<PrometheusSample> samples) = await ScrapeAsync(client);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (string histogram in new[] { "gen_ai_server_request_duration_seconds", "gen_ai_server_time_to_first_token_seconds", "gen_ai_server_time_per_output_token_seconds", "quicksilver_server_diffusion_tokens_per_step" })
        {
            PrometheusSample count = Assert.Single(samples, s => s.Name == histogram + "_count");
            Assert.True(count.Value == 1, $"{histogram}_count is {count.Value}.\n{text}");
            AssertGenAiLabels(count, errorType: null);
        }

        // Explicit buckets in seconds, not the default milliseconds ones.
        string[] durationBuckets = [.. samples.Where(s => s.Name == "gen_ai_server_request_duration_seconds_bucket").Select(s => s["le"]!)];
        Assert.Equal(["0.01", "0.02", "0.04", "0.08", "0.16", "0.32", "0.64", "1.28", "2.56", "5.12", "10.24", "20.48", "40.96", "81.92", "+Inf"], durationBuckets);
        Assert.Contains(samples, s => s.Name == "gen_ai_server_time_to_first_token_seconds_bucket" && s["le"] == "0.001");

        Assert.Equal(promptTokens, Tokens(samples, "input"));
        Assert.Equal(completionTokens, Tokens(samples, "output"));

        // The fake takes one step per canvas position of each block it releases (blocks of 8, the last one with EOS).
        int steps = 8 * ((completionTokens / 8) + 1);
        double tokensPerStep = Assert.Single(samples, s => s.Name == "quicksilver_server_diffusion_tokens_per_step_sum").Value;
        Assert.Equal((double)completionTokens / steps, tokensPerStep, 1e-9);
    }

    [Fact]
    public async Task Metrics_StreamedCompletion_CountedOnceWithTheSameTokens()
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create());
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject
        {
            ["prompt"] = "Say hello",
            ["max_tokens"] = 64,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
        });
        IReadOnlyList<string> events = ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync());
        JsonObject usage = JsonNode.Parse(events[^1])!["usage"]!.AsObject();
        (_, IReadOnlyList<PrometheusSample> samples) = await ScrapeAsync(client);

        Assert.Equal(1, Assert.Single(samples, s => s.Name == "gen_ai_server_request_duration_seconds_count").Value);
        Assert.Equal(usage["prompt_tokens"]!.GetValue<int>(), Tokens(samples, "input"));
        Assert.Equal(usage["completion_tokens"]!.GetValue<int>(), Tokens(samples, "output"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Metrics_RequestWithThreeChoices_MeasuredOnceWithEveryChoicesTokens(bool stream)
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create());
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject
        {
            ["prompt"] = "Say hello",
            ["max_tokens"] = 64,
            ["n"] = 3,
            ["stream"] = stream,
            ["stream_options"] = stream ? new JsonObject { ["include_usage"] = true } : null,
        });
        string body = await response.Content.ReadAsStringAsync();
        JsonObject usage = (stream ? JsonNode.Parse(ServerSentEvents.ParseStrict(body)[^1]) : JsonNode.Parse(body))!["usage"]!.AsObject();
        (string text, IReadOnlyList<PrometheusSample> samples) = await ScrapeAsync(client);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (string histogram in new[] { "gen_ai_server_request_duration_seconds", "gen_ai_server_time_to_first_token_seconds", "gen_ai_server_time_per_output_token_seconds", "quicksilver_server_diffusion_tokens_per_step" })
        {
            Assert.True(Assert.Single(samples, s => s.Name == histogram + "_count").Value == 1, $"{histogram}_count is not 1.\n{text}");
        }

        Assert.Equal(usage["prompt_tokens"]!.GetValue<int>(), Tokens(samples, "input"));
        Assert.Equal(usage["completion_tokens"]!.GetValue<int>(), Tokens(samples, "output"));

        // Each choice commits as a lone answer does: the mean over the sequences, not three times it.
        int perChoice = usage["completion_tokens"]!.GetValue<int>() / 3;
        double tokensPerStep = Assert.Single(samples, s => s.Name == "quicksilver_server_diffusion_tokens_per_step_sum").Value;
        Assert.Equal((double)perChoice / (8 * ((perChoice / 8) + 1)), tokensPerStep, 1e-9);
    }

    [Fact]
    public async Task Metrics_EngineRejectsTheRequest_DurationCarriesErrorTypeAndNoTokenIsCounted()
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(FakeServedModel.Engine(rejectWith: "block_length too large")));
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello" });
        (string text, IReadOnlyList<PrometheusSample> samples) = await ScrapeAsync(client);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        PrometheusSample duration = Assert.Single(samples, s => s.Name == "gen_ai_server_request_duration_seconds_count");
        AssertGenAiLabels(duration, errorType: "BadRequestError");
        Assert.DoesNotContain(samples, s => s.Name.StartsWith("gen_ai_server_time_to_first_token", StringComparison.Ordinal) && s.Value > 0);
        Assert.False(samples.Any(s => s.Name == "quicksilver_server_tokens_total"), text);
    }

    [Fact]
    public async Task Metrics_EngineFailsMidStream_OutputSoFarCountedAndErrorTypeIsTheException()
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(FakeServedModel.Engine(failAfterBlocks: 2)));
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello", ["max_tokens"] = 64, ["stream"] = true });
        _ = ServerSentEvents.ParseStrict(await response.Content.ReadAsStringAsync());
        (_, IReadOnlyList<PrometheusSample> samples) = await ScrapeAsync(client);

        PrometheusSample duration = Assert.Single(samples, s => s.Name == "gen_ai_server_request_duration_seconds_count");
        AssertGenAiLabels(duration, errorType: typeof(InvalidOperationException).FullName);
        Assert.Equal(16, Tokens(samples, "output"));
        Assert.DoesNotContain(samples, s => s.Name == "gen_ai_server_time_to_first_token_seconds_count");
    }

    private static double Tokens(IReadOnlyList<PrometheusSample> samples, string type)
    {
        PrometheusSample sample = Assert.Single(samples, s => s.Name == "quicksilver_server_tokens_total" && s["gen_ai_token_type"] == type);
        AssertGenAiLabels(sample, errorType: null);
        return sample.Value;
    }

    private static void AssertGenAiLabels(PrometheusSample sample, string? errorType)
    {
        Assert.Equal("text_completion", sample["gen_ai_operation_name"]);
        Assert.Equal("quicksilver", sample["gen_ai_provider_name"]);
        Assert.Equal(FakeServedModel.Id, sample["gen_ai_request_model"]);
        Assert.Equal(FakeServedModel.Id, sample["gen_ai_response_model"]);
        Assert.Equal(errorType, sample["error_type"]);
    }

    private static async Task<(string Text, IReadOnlyList<PrometheusSample> Samples)> ScrapeAsync(HttpClient client)
    {
        using HttpResponseMessage response = await client.GetAsync(Metrics);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        string text = await response.Content.ReadAsStringAsync();
        return (text, PrometheusSample.Parse(text));
    }
}
