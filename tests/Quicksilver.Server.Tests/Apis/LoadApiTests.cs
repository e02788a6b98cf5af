using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quicksilver.Engine;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Server.Health;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>FAKE ENGINE: <c>GET /load</c>, the load signal the gateway polls.</summary>
[Trait("Engine", "Fake")]
public sealed class LoadApiTests
{
    private static readonly Uri Load = new("/load", UriKind.Relative);

    [Fact]
    public async Task GetLoad_Idle_ReportsTheModelAndZeros()
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create());
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.GetAsync(Load);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        JsonObject load = await response.ReadJsonObjectAsync();
        Assert.Equal(["model", "waiting", "running", "tokens_in_flight", "draining", "ready", "max_tokens", "chat_default_max_tokens"], load.Select(p => p.Key));
        Assert.Equal(FakeServedModel.Id, load["model"]!.GetValue<string>());
        Assert.Equal(0, load["waiting"]!.GetValue<int>());
        Assert.Equal(0, load["running"]!.GetValue<int>());
        Assert.Equal(0, load["tokens_in_flight"]!.GetValue<int>());
        Assert.False(load["draining"]!.GetValue<bool>());
        Assert.True(load["ready"]!.GetValue<bool>());
        Assert.Equal(1024, load["max_tokens"]!.GetValue<int>());
        Assert.Equal(1024, load["chat_default_max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetLoad_ReadyIsWhatHealthReadyAnswers_DrainingOrAFailedEngineIsNotReady()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine();
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(engine));
        using HttpClient client = await factory.CreateReadyClientAsync();
        var readiness = factory.Services.GetRequiredService<ServerReadiness>();

        readiness.SetNotReady(ServerReadiness.Draining);
        (bool Ready, HttpStatusCode Probe) draining = await ReadyAndProbeAsync(client);
        readiness.SetReady(ServerReadiness.Draining);
        (bool Ready, HttpStatusCode Probe) back = await ReadyAndProbeAsync(client);
        engine.Failure = new InvalidOperationException("the step loop broke");
        (bool Ready, HttpStatusCode Probe) failed = await ReadyAndProbeAsync(client);

        Assert.Equal((false, HttpStatusCode.ServiceUnavailable), draining);
        Assert.Equal((true, HttpStatusCode.OK), back);
        Assert.Equal((false, HttpStatusCode.ServiceUnavailable), failed);
    }

    [Fact]
    public async Task GetLoad_NotReady_SaysSoWithoutLoggingAnError()
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create());
        using HttpClient client = await factory.CreateReadyClientAsync();
        factory.Services.GetRequiredService<ServerReadiness>().SetNotReady(ServerReadiness.Draining);

        bool[] ready = [.. await Task.WhenAll(Enumerable.Range(0, 3).Select(async _ => (await GetLoadAsync(client))["ready"]!.GetValue<bool>()))];

        Assert.Equal([false, false, false], ready);
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Theory]
    [InlineData(null, 300, 300)]
    [InlineData(128, 300, 128)]
    [InlineData(512, 300, 300)]
    public async Task GetLoad_ReportsTheLimitAndTheChatDefaultBudget(int? maxNewTokens, int maxTokens, int chatDefault)
    {
        ServedModel model = FakeServedModel.Create() with { Generation = new GenerationDefaults { MaxNewTokens = maxNewTokens } };
        await using var factory = new QuicksilverApiFactory(model, settings: new Dictionary<string, string?> { ["Quicksilver:Limits:MaxTokens"] = $"{maxTokens}" });
        using HttpClient client = await factory.CreateReadyClientAsync();

        JsonObject load = await GetLoadAsync(client);

        Assert.Equal((maxTokens, chatDefault), (load["max_tokens"]!.GetValue<int>(), load["chat_default_max_tokens"]!.GetValue<int>()));
    }

    [Fact]
    public async Task GetLoad_StreamPausedMidway_ReportsItRunningThenIdleOnceItEnds()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine(pauseAfterBlocks: 1);
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create(engine));
        using HttpClient client = await factory.CreateReadyClientAsync();

        await using HeldOpenCompletion stream = await HeldOpenCompletion.StartAsync(client, new JsonObject { ["prompt"] = "Say hello", ["max_tokens"] = 64, ["stream"] = true });
        JsonObject during = await GetLoadAsync(client);
        engine.Gate.SetResult();
        await stream.ReadToEndAsync();

        Assert.Equal(1, during["running"]!.GetValue<int>());
        Assert.False(during["draining"]!.GetValue<bool>());
        Assert.Equal(0, (await WaitForRunningAsync(client, 0))["running"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetLoad_ModelStillLoading_Returns503InOpenAIShape()
    {
        using var loaded = new ManualResetEventSlim();
        ServedModel model = FakeServedModel.Create();
        await using var factory = new QuicksilverApiFactory(model, registerModel: services => services.AddSingleton(_ =>
        {
            loaded.Wait(TimeSpan.FromSeconds(30));
            return model;
        }));
        using HttpClient client = factory.CreateClient();

        using HttpResponseMessage response = await client.GetAsync(Load);
        loaded.Set();

        await OpenAIAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "ServiceUnavailableError", null);
    }

    [Fact]
    public async Task OpenApiDocument_Served_DescribesLoadButNotMetrics()
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create());
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        JsonObject document = await response.ReadJsonObjectAsync();

        JsonObject paths = document["paths"]!.AsObject();
        Assert.DoesNotContain("/metrics", paths.Select(p => p.Key));
        JsonObject get = paths["/load"]!["get"]!.AsObject();
        Assert.NotNull(get["responses"]!["503"]);
        JsonObject report = document["components"]!["schemas"]!["LoadReport"]!.AsObject();
        Assert.Equal(["model", "waiting", "running", "tokens_in_flight", "draining", "ready", "max_tokens", "chat_default_max_tokens"], report["properties"]!.AsObject().Select(p => p.Key));
    }

    private static async Task<JsonObject> GetLoadAsync(HttpClient client)
    {
        using HttpResponseMessage response = await client.GetAsync(Load);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonObjectAsync();
    }

    private static async Task<(bool Ready, HttpStatusCode Probe)> ReadyAndProbeAsync(HttpClient client)
    {
        JsonObject load = await GetLoadAsync(client);
        using HttpResponseMessage probe = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        return (load["ready"]!.GetValue<bool>(), probe.StatusCode);
    }

    private static async Task<JsonObject> WaitForRunningAsync(HttpClient client, int running)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        JsonObject load = await GetLoadAsync(client);
        while (load["running"]!.GetValue<int>() != running && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
            load = await GetLoadAsync(client);
        }

        return load;
    }
}
