using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// FAKE ENGINE: a Fast-dLLM v2 style model whose <c>generation_config.json</c> sets <c>threshold: 0.9</c> (and the
/// Dream <c>alg</c> entropy). Requests that name no commit rule and no <c>steps</c> get the threshold rule ranked by
/// probability; naming <c>steps</c>, <c>threshold</c>, <c>factor</c> or a <c>remasking</c> the threshold cannot rank by
/// wins; <c>/v1/models</c> reports the rule.
/// </summary>
[Trait("Engine", "Fake")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed by IAsyncLifetime.DisposeAsync.")]
public sealed class CommitRuleDefaultTests : IAsyncLifetime
{
    private readonly FakeGenerationEngine engine = FakeServedModel.Engine();
    private QuicksilverApiFactory factory = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        var defaults = new GenerationDefaults { BlockLength = 8, Threshold = 0.9, Remasking = RemaskingStrategy.Entropy };
        factory = new QuicksilverApiFactory(FakeChatModel.Create(engine) with { Generation = defaults });
        client = await factory.CreateReadyClientAsync();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    [Fact]
    public async Task CreateCompletion_NoRuleNoSteps_GetsTheModelsThresholdRankedByProbability()
    {
        GenerationRequest request = await CompleteAsync(new JsonObject());

        Assert.Equal((CommitRule.Threshold, 0.9, RemaskingStrategy.LowConfidence), (request.Commit, request.CommitParameter, request.Remasking));
    }

    [Fact]
    public async Task CreateChatCompletion_NoRuleNoSteps_GetsTheModelsThreshold()
    {
        using HttpResponseMessage response = await client.PostChatCompletionAsync(new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
            ["max_completion_tokens"] = 8,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((CommitRule.Threshold, 0.9), (engine.LastRequest.Commit, engine.LastRequest.CommitParameter));
    }

    [Fact]
    public async Task CreateCompletion_Steps_GetsTheStepScheduleWithTheModelsAlg()
    {
        GenerationRequest request = await CompleteAsync(new JsonObject { ["steps"] = 4 });

        Assert.Equal((CommitRule.Schedule, (int?)4, RemaskingStrategy.Entropy), (request.Commit, request.Steps, request.Remasking));
    }

    [Theory]
    [InlineData("random", RemaskingStrategy.Random)]
    [InlineData("margin", RemaskingStrategy.Margin)]
    [InlineData("entropy", RemaskingStrategy.Entropy)]
    [InlineData("origin", RemaskingStrategy.Origin)]
    public async Task CreateCompletion_RemaskingTheDefaultRuleCannotRankBy_GetsTheStepSchedule(string remasking, RemaskingStrategy expected)
    {
        // The default threshold is the model's, not the request's: a remasking it cannot rank by is no client error.
        GenerationRequest request = await CompleteAsync(new JsonObject { ["remasking"] = remasking });

        Assert.Equal((CommitRule.Schedule, expected), (request.Commit, request.Remasking));
    }

    [Fact]
    public async Task CreateCompletion_LowConfidenceNamed_KeepsTheModelsThreshold()
    {
        GenerationRequest request = await CompleteAsync(new JsonObject { ["remasking"] = "low_confidence" });

        Assert.Equal((CommitRule.Threshold, 0.9), (request.Commit, request.CommitParameter));
    }

    [Fact]
    public async Task CreateCompletion_RemaskingWithANamedThreshold_ReachesTheEngineAsAsked()
    {
        // Both the client's: the engine's validation refuses the pair (RequestValidator), nothing here drops either.
        GenerationRequest request = await CompleteAsync(new JsonObject { ["remasking"] = "margin", ["threshold"] = 0.8 });

        Assert.Equal((CommitRule.Threshold, 0.8, RemaskingStrategy.Margin), (request.Commit, request.CommitParameter, request.Remasking));
    }

    [Theory]
    [InlineData("threshold", 0.5, CommitRule.Threshold)]
    [InlineData("factor", 2.0, CommitRule.Factor)]
    public async Task CreateCompletion_NamedRule_Wins(string field, double value, CommitRule rule)
    {
        GenerationRequest request = await CompleteAsync(new JsonObject { [field] = value, ["steps"] = 4 });

        Assert.Equal((rule, value), (request.Commit, request.CommitParameter));
    }

    [Fact]
    public async Task ListModels_ReportsTheDefaultRule()
    {
        using HttpResponseMessage response = await client.GetAsync(new Uri("/v1/models", UriKind.Relative));

        JsonObject defaults = (await response.ReadJsonObjectAsync())["data"]![0]!["generation_defaults"]!.AsObject();
        Assert.Equal(0.9, defaults["threshold"]!.GetValue<double>());
        Assert.Null(defaults["factor"]);
    }

    private async Task<GenerationRequest> CompleteAsync(JsonObject fields)
    {
        fields["prompt"] = "Hi";
        fields["max_tokens"] = 8;
        using HttpResponseMessage response = await client.PostCompletionAsync(fields);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return engine.LastRequest;
    }
}
