using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>
/// FAKE ENGINE: a model whose <c>generation_config.json</c> sets <c>steps: 64</c> for <c>max_new_tokens: 128</c>. A
/// request without <c>steps</c> gets them at that rate for its own budget (a longer budget must not spread them
/// thinner), and chat without a budget gets <c>max_new_tokens</c>, as vLLM does.
/// </summary>
[Trait("Engine", "Fake")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed by IAsyncLifetime.DisposeAsync.")]
public sealed class StepRateDefaultsTests : IAsyncLifetime
{
    private readonly FakeGenerationEngine engine = FakeServedModel.Engine();
    private QuicksilverApiFactory factory = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        var defaults = new GenerationDefaults { Steps = 64, MaxNewTokens = 128, BlockLength = 32 };
        factory = new QuicksilverApiFactory(FakeChatModel.Create(engine) with { Generation = defaults });
        client = await factory.CreateReadyClientAsync();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    [Theory]
    [InlineData(128, 64)]
    [InlineData(512, 256)]
    [InlineData(10, 5)]
    [InlineData(3, 2)]
    public async Task CreateCompletion_NoSteps_GetsTheModelsRateForItsBudget(int maxTokens, int steps)
    {
        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Hi", ["max_tokens"] = maxTokens });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(steps, engine.LastRequest.Steps);
    }

    [Fact]
    public async Task CreateCompletion_StepsGiven_AreTaken()
    {
        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Hi", ["max_tokens"] = 512, ["steps"] = 7 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(7, engine.LastRequest.Steps);
    }

    [Fact]
    public async Task CreateChatCompletion_NoBudget_GetsMaxNewTokensAndItsSteps()
    {
        using HttpResponseMessage response = await client.PostChatCompletionAsync(new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((128, (int?)64), (engine.LastRequest.MaxTokens, engine.LastRequest.Steps));
    }
}
