using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Quicksilver.Engine;
using Quicksilver.Server.Health;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

[Trait("Engine", "Fake")]
public sealed class HealthApiTests
{
    private static readonly Uri Live = new("/health/live", UriKind.Relative);
    private static readonly Uri Ready = new("/health/ready", UriKind.Relative);
    private static readonly Uri VllmHealth = new("/health", UriKind.Relative);

    [Fact]
    public async Task Health_ModelStillLoading_LiveButNotReady()
    {
        using var loaded = new ManualResetEventSlim();
        ServedModel model = FakeServedModel.Create();
        await using var factory = new QuicksilverApiFactory(model, registerModel: services => services.AddSingleton(_ =>
        {
            loaded.Wait(TimeSpan.FromSeconds(30));
            return model;
        }));
        using HttpClient client = factory.CreateClient();

        using (HttpResponseMessage live = await client.GetAsync(Live))
        using (HttpResponseMessage ready = await client.GetAsync(Ready))
        using (HttpResponseMessage vllmHealth = await client.GetAsync(VllmHealth))
        using (HttpResponseMessage models = await client.GetAsync(new Uri("/v1/models", UriKind.Relative)))
        using (HttpResponseMessage completion = await client.PostCompletionAsync("{\"prompt\": \"a\"}"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("model loading", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, vllmHealth.StatusCode);
            Assert.Empty((await models.ReadJsonObjectAsync())["data"]!.AsArray());
            await OpenAIAssert.ErrorAsync(completion, HttpStatusCode.ServiceUnavailable, "ServiceUnavailableError", null);
        }

        loaded.Set();
        await QuicksilverApiFactory.WaitUntilReadyAsync(client);
        using HttpResponseMessage after = await client.PostCompletionAsync("{\"prompt\": \"a\"}");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Health_ModelLoaded_LiveAndReady()
    {
        await using var factory = new QuicksilverApiFactory();
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage live = await client.GetAsync(Live);
        using HttpResponseMessage ready = await client.GetAsync(Ready);
        using HttpResponseMessage vllmHealth = await client.GetAsync(VllmHealth);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, vllmHealth.StatusCode);
    }

    [Fact]
    public async Task Health_EngineLoopFailed_NeitherLiveNorReady()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine();
        ServedModel model = FakeServedModel.Create(engine);
        await using var factory = new QuicksilverApiFactory(model);
        using HttpClient client = await factory.CreateReadyClientAsync();

        engine.Failure = new InvalidOperationException("the step loop broke");
        using HttpResponseMessage live = await client.GetAsync(Live);
        using HttpResponseMessage ready = await client.GetAsync(Ready);

        string reason = $"the engine of {model.Id} stopped: InvalidOperationException: the step loop broke";
        Assert.Equal(HttpStatusCode.ServiceUnavailable, live.StatusCode);
        Assert.Contains(reason, await live.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains(reason, await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_Draining_NotReadyUntilLifted()
    {
        await using var factory = new QuicksilverApiFactory();
        using HttpClient client = await factory.CreateReadyClientAsync();
        var readiness = factory.Services.GetRequiredService<ServerReadiness>();

        readiness.SetNotReady(ServerReadiness.Draining);
        using HttpResponseMessage draining = await client.GetAsync(Ready);
        using HttpResponseMessage vllmHealthDraining = await client.GetAsync(VllmHealth);
        using HttpResponseMessage live = await client.GetAsync(Live);
        readiness.SetReady(ServerReadiness.Draining);
        using HttpResponseMessage back = await client.GetAsync(Ready);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, draining.StatusCode);
        Assert.Contains("draining", await draining.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, vllmHealthDraining.StatusCode);
        Assert.Contains("draining", await vllmHealthDraining.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }
}
