using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Telemetry.Tests;

/// <summary>FAKE ENGINE: one <c>text_completion {model}</c> activity per request, with the GenAI attributes and no text.</summary>
[Trait("Engine", "Fake")]
[Collection(TelemetryTestGroup.Name)]
public sealed class RequestActivityTests : IDisposable
{
    private const string Prompt = "a secret prompt about Paris";

    private readonly ConcurrentQueue<Activity> stopped = new();
    private readonly ActivityListener listener;

    public RequestActivityTests()
    {
        listener = new ActivityListener
        {
            // ASP.NET Core's own source too, so that it creates the HTTP span from the incoming traceparent.
            ShouldListenTo = source => source.Name is ServerDiagnostics.Name or "Microsoft.AspNetCore",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == ServerDiagnostics.Name)
                {
                    stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
    }

    public void Dispose() => listener.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateCompletion_Succeeds_OneActivityWithGenAiAttributes(bool stream)
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create());
        using HttpClient client = await factory.CreateReadyClientAsync();
        var parent = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/completions", UriKind.Relative))
        {
            Content = new StringContent(
                new JsonObject { ["prompt"] = Prompt, ["max_tokens"] = 64, ["temperature"] = 0.5, ["seed"] = 7, ["stream"] = stream }.ToJsonString(),
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{parent}-{ActivitySpanId.CreateRandom()}-01");

        using HttpResponseMessage response = await client.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Activity activity = await SingleStoppedAsync();

        Assert.Equal("text_completion fake-tiny", activity.DisplayName);
        Assert.Equal(ActivityKind.Internal, activity.Kind);
        Assert.Equal(parent, activity.TraceId);
        Assert.Equal(ActivityStatusCode.Unset, activity.Status);
        Assert.Equal("text_completion", activity.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("quicksilver", activity.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(FakeServedModel.Id, activity.GetTagItem("gen_ai.request.model"));
        Assert.Equal(FakeServedModel.Id, activity.GetTagItem("gen_ai.response.model"));
        Assert.Equal(64, activity.GetTagItem("gen_ai.request.max_tokens"));
        Assert.Equal(0.5, activity.GetTagItem("gen_ai.request.temperature"));
        Assert.Equal(7UL, activity.GetTagItem("gen_ai.request.seed"));
        Assert.Equal(Encoding.UTF8.GetByteCount(Prompt), activity.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(Encoding.UTF8.GetByteCount(FakeGenerationEngine.DefaultAnswer) + 1, activity.GetTagItem("gen_ai.usage.output_tokens")); // and the EOS
        Assert.Equal(new[] { "stop" }, activity.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.True((int)activity.GetTagItem("quicksilver.diffusion.steps")! > 0);
        Assert.Null(activity.GetTagItem("error.type"));
        Assert.DoesNotContain(activity.TagObjects, tag => tag.Value?.ToString()?.Contains("Paris", StringComparison.Ordinal) == true);
        Assert.Contains("done.", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateCompletion_ThreeChoices_OneActivityWithEveryChoicesFinishAndTokens()
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create());
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject { ["prompt"] = Prompt, ["max_tokens"] = 64, ["n"] = 3 });
        JsonObject usage = (await response.ReadJsonObjectAsync())["usage"]!.AsObject();
        Activity activity = await SingleStoppedAsync();

        Assert.Equal(3, activity.GetTagItem("gen_ai.request.choice.count"));
        Assert.Equal(new[] { "stop", "stop", "stop" }, activity.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.Equal(usage["prompt_tokens"]!.GetValue<int>(), activity.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(usage["completion_tokens"]!.GetValue<int>(), activity.GetTagItem("gen_ai.usage.output_tokens"));
    }

    [Fact]
    public async Task CreateCompletion_StopSequenceInsideABlock_UsageAndActivityCountTheTokensThroughIt()
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create());
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject { ["prompt"] = Prompt, ["max_tokens"] = 64, ["stop"] = "," });
        JsonObject answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Activity activity = await SingleStoppedAsync();

        // "Héllo," is 7 bytes, so 7 tokens of the fake tokenizer; the engine finalised the whole first block, 8.
        Assert.Equal("Héllo", (string?)answer["choices"]![0]!["text"]);
        Assert.Equal(7, (int?)answer["usage"]!["completion_tokens"]);
        Assert.Equal(7, activity.GetTagItem("gen_ai.usage.output_tokens"));
    }

    [Fact]
    public async Task CreateCompletion_EngineFailsMidStream_ActivityHasErrorTypeAndStatus()
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(FakeServedModel.Engine(failAfterBlocks: 1)));
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.PostCompletionAsync(new JsonObject { ["prompt"] = Prompt, ["stream"] = true, ["max_tokens"] = 64 });
        _ = await response.Content.ReadAsStringAsync();
        Activity activity = await SingleStoppedAsync();

        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.Equal(typeof(InvalidOperationException).FullName, activity.GetTagItem("error.type"));
        Assert.Equal(8, activity.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Null(activity.GetTagItem("gen_ai.response.finish_reasons"));
    }

    [Fact]
    public async Task CreateCompletion_ClientGoesAway_ActivityEndsAsCanceled()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine(pauseAfterBlocks: 1);
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(engine));
        using HttpClient client = await factory.CreateReadyClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/completions", UriKind.Relative))
        {
            Content = new StringContent(new JsonObject { ["prompt"] = Prompt, ["stream"] = true, ["max_tokens"] = 64 }.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };

        using (HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            await using Stream body = await response.Content.ReadAsStreamAsync();
            _ = await body.ReadAsync(new byte[16]);
        }

        await engine.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Activity activity = await SingleStoppedAsync();

        Assert.Equal("canceled", activity.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
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
