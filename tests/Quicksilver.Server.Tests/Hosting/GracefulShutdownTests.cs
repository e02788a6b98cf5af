using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quicksilver.Engine;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Hosting.Tests;

/// <summary>
/// FAKE ENGINE, REAL KESTREL: what a pod does between SIGTERM and exit. Readiness turns 503 <c>draining</c> at once,
/// new requests get 503 with <c>Retry-After</c>, the stream already running finishes with <c>data: [DONE]</c>, and
/// only then is the engine disposed and the host stopped.
/// </summary>
[Trait("Engine", "Fake")]
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task StopApplication_StreamInFlight_DrainsItThenDisposesTheEngine()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine(pauseAfterBlocks: 1);
        var recording = new DisposalRecordingEngine(engine);
        ServedModel model = FakeServedModel.Create(engine) with { Engine = recording };
        await using var factory = new QuicksilverApiFactory(model, new Dictionary<string, string?> { ["Quicksilver:DrainTimeout"] = "00:00:20" });
        factory.UseKestrel(0);
        factory.StartServer();
        var address = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        using var streaming = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        await QuicksilverApiFactory.WaitUntilReadyAsync(streaming);
        IHostApplicationLifetime lifetime = factory.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration onStopped = lifetime.ApplicationStopped.Register(stopped.SetResult);

        using HttpResponseMessage stream = await streaming.SendAsync(StreamRequest(), HttpCompletionOption.ResponseHeadersRead);
        await using Stream body = await stream.Content.ReadAsStreamAsync();
        await using IAsyncEnumerator<SseItem<string>> events = SseParser.Create(body).EnumerateAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        var received = new List<string> { events.Current.Data };

        lifetime.StopApplication();

        // New connections, as a load balancer or a kubelet probe would open.
        using (var other = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) })
        {
            using HttpResponseMessage ready = await other.GetAsync(new Uri("/health/ready", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("draining", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            using HttpResponseMessage refused = await other.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello" });
            await OpenAIAssert.ErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "ServiceUnavailableError", null);
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);

            using HttpResponseMessage load = await other.GetAsync(new Uri("/load", UriKind.Relative));
            JsonObject report = await load.ReadJsonObjectAsync();
            Assert.True(report["draining"]!.GetValue<bool>());
            Assert.Equal(1, report["running"]!.GetValue<int>());
        }

        Assert.False(recording.Disposed.Task.IsCompleted, "The engine was disposed while a request was still running.");
        Assert.False(stopped.Task.IsCompleted);
        engine.Gate.SetResult();
        while (await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)))
        {
            received.Add(events.Current.Data);
        }

        Assert.Equal("[DONE]", received[^1]);
        string text = string.Concat(received.SkipLast(1).Select(d => JsonNode.Parse(d)!["choices"]![0]!["text"]!.GetValue<string>()));
        Assert.Equal(FakeGenerationEngine.DefaultAnswer, text);
        Assert.Equal("stop", JsonNode.Parse(received[^2])!["choices"]![0]!["finish_reason"]!.GetValue<string>());
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(15));
        EngineLoad atDisposal = await recording.Disposed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, atDisposal.Running);
    }

    [Fact]
    public async Task StopApplication_StreamOutlastsTheDrain_EndsWithAnErrorEventAndDone()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine(pauseAfterBlocks: 1);
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(engine), new Dictionary<string, string?> { ["Quicksilver:DrainTimeout"] = "00:00:01" });
        factory.UseKestrel(0);
        factory.StartServer();
        var address = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        using var streaming = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        await QuicksilverApiFactory.WaitUntilReadyAsync(streaming);
        using HttpResponseMessage stream = await streaming.SendAsync(StreamRequest(), HttpCompletionOption.ResponseHeadersRead);
        await using Stream body = await stream.Content.ReadAsStreamAsync();
        await using IAsyncEnumerator<SseItem<string>> events = SseParser.Create(body).EnumerateAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));

        factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        var received = new List<string>();
        while (await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15)))
        {
            received.Add(events.Current.Data);
        }

        Assert.Equal("[DONE]", received[^1]);
        JsonNode error = JsonNode.Parse(received[^2])!["error"]!;
        Assert.Equal("ServiceUnavailableError", error["type"]!.GetValue<string>());
        Assert.Equal("The fake engine was abandoned by a drain that ran out of time.", error["message"]!.GetValue<string>());
    }

    private static HttpRequestMessage StreamRequest() => new(HttpMethod.Post, new Uri("/v1/completions", UriKind.Relative))
    {
        Content = new StringContent(
            new JsonObject { ["model"] = FakeServedModel.Id, ["prompt"] = "Say hello", ["max_tokens"] = 64, ["stream"] = true }.ToJsonString(),
            Encoding.UTF8,
            "application/json"),
    };
}
