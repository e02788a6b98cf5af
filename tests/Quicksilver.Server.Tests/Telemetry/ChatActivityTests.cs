using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Telemetry.Tests;

/// <summary>FAKE ENGINE: a chat request is one <c>chat {model}</c> activity per choice, counting the templated prompt, with no text.</summary>
[Trait("Engine", "Fake")]
[Collection(TelemetryTestGroup.Name)]
public sealed class ChatActivityTests : IDisposable
{
    private const string Secret = "a secret question about Paris";

    private readonly ConcurrentQueue<Activity> stopped = new();
    private readonly ActivityListener listener;

    public ChatActivityTests()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ServerDiagnostics.Name,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
    }

    public void Dispose() => listener.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateChatCompletion_Succeeds_OneChatActivityWithGenAiAttributes(bool stream)
    {
        FakeGenerationEngine engine = FakeServedModel.Engine();
        await using var factory = new QuicksilverApiFactory(FakeChatModel.Create(engine));
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.PostChatCompletionAsync(new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Secret }),
            ["max_completion_tokens"] = 64,
            ["stream"] = stream,
        });
        _ = await response.Content.ReadAsStringAsync();
        Activity activity = await SingleStoppedAsync();

        Assert.Equal($"chat {FakeServedModel.Id}", activity.DisplayName);
        Assert.Equal("chat", activity.GetTagItem("gen_ai.operation.name"));
        Assert.Equal(FakeServedModel.Id, activity.GetTagItem("gen_ai.request.model"));
        Assert.Equal(64, activity.GetTagItem("gen_ai.request.max_tokens"));
        Assert.Equal(engine.LastRequest.PromptTokens.Count, activity.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(Encoding.UTF8.GetByteCount(FakeGenerationEngine.DefaultAnswer) + 1, activity.GetTagItem("gen_ai.usage.output_tokens")); // and the EOS
        Assert.Equal(new[] { "stop" }, activity.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.DoesNotContain(activity.TagObjects, tag => tag.Value?.ToString()?.Contains("Paris", StringComparison.Ordinal) == true);
    }

    private async Task<Activity> SingleStoppedAsync()
    {
        // The activity stops when the generation ends, which for a stream can be just after the last bytes went out.
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (stopped.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await Task.Delay(50);
        return Assert.Single(stopped);
    }
}
