using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// FAKE ENGINE: a model whose <c>generation_config.json</c> sets every sampling default. What a request leaves out
/// reaches the engine as the model's value, what it gives wins, and <c>/v1/models</c> reports the defaults.
/// </summary>
[Trait("Engine", "Fake")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed by IAsyncLifetime.DisposeAsync.")]
public sealed class GenerationDefaultsTests : IAsyncLifetime
{
    private static readonly GenerationDefaults ModelDefaults = new()
    {
        Temperature = 0.3,
        TopP = 0.9,
        TopK = 40,
        Remasking = RemaskingStrategy.Entropy,
        AlgorithmTemperature = 0.2,
        Steps = 24,
        BlockLength = 8,
    };

    private readonly FakeGenerationEngine engine = FakeServedModel.Engine();
    private QuicksilverApiFactory factory = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        factory = new QuicksilverApiFactory(FakeChatModel.Create(engine) with { Generation = ModelDefaults });
        client = await factory.CreateReadyClientAsync();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    [Fact]
    public async Task CreateCompletion_FieldsLeftOut_TakeTheModelsDefaults()
    {
        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Hi", ["max_tokens"] = 8 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertModelDefaults(engine.LastRequest);
    }

    [Fact]
    public async Task CreateChatCompletion_FieldsLeftOut_TakeTheModelsDefaults()
    {
        using HttpResponseMessage response = await client.PostChatCompletionAsync(new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
            ["max_completion_tokens"] = 8,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertModelDefaults(engine.LastRequest);
    }

    [Fact]
    public async Task CreateCompletion_ExplicitFields_WinOverTheModelsDefaults()
    {
        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject
        {
            ["prompt"] = "Hi",
            ["max_tokens"] = 8,
            ["temperature"] = 0,
            ["top_p"] = 1,
            ["top_k"] = -1,
            ["alg_temp"] = 0,
            ["remasking"] = "margin",
            ["steps"] = 8,
            ["block_length"] = 4,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        GenerationRequest request = engine.LastRequest;
        Assert.Equal(
            (0f, 1.0, 0, 0.0, RemaskingStrategy.Margin, (int?)8, (int?)4),
            (request.Temperature, request.TopP, request.TopK, request.AlgorithmTemperature, request.Remasking, request.Steps, request.BlockLength));
    }

    [Fact]
    public async Task CreateChatCompletion_TopKAndAlgTemp_ReachTheEngine()
    {
        using HttpResponseMessage response = await client.PostChatCompletionAsync(new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
            ["max_completion_tokens"] = 8,
            ["top_p"] = 0.5,
            ["top_k"] = 3,
            ["alg_temp"] = 1.5,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((0.5, 3, 1.5), (engine.LastRequest.TopP, engine.LastRequest.TopK, engine.LastRequest.AlgorithmTemperature));
    }

    [Fact]
    public async Task CreateCompletion_ThresholdWithoutRemasking_RanksByLowConfidenceNotTheModelsAlg()
    {
        // The model's alg (entropy) is the schedule's default; threshold compares probabilities, so it ranks by them.
        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Hi", ["max_tokens"] = 8, ["threshold"] = 0.9 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((CommitRule.Threshold, RemaskingStrategy.LowConfidence), (engine.LastRequest.Commit, engine.LastRequest.Remasking));
    }

    [Fact]
    public async Task ListModels_ModelWithGenerationConfig_ReportsItsDefaults()
    {
        using HttpResponseMessage response = await client.GetAsync(new Uri("/v1/models", UriKind.Relative));

        JsonObject list = await response.ReadJsonObjectAsync();
        Assert.Equal(
            """{"temperature":0.3,"top_p":0.9,"top_k":40,"remasking":"entropy","alg_temp":0.2,"steps":24,"block_length":8,"threshold":null,"factor":null,"max_new_tokens":null,"eps":0.001}""",
            list["data"]![0]!["generation_defaults"]!.ToJsonString());
    }

    private static void AssertModelDefaults(GenerationRequest request) =>
        Assert.Equal(
            (0.3f, 0.9, 40, 0.2, RemaskingStrategy.Entropy, (int?)24, (int?)8),
            (request.Temperature, request.TopP, request.TopK, request.AlgorithmTemperature, request.Remasking, request.Steps, request.BlockLength));
}
