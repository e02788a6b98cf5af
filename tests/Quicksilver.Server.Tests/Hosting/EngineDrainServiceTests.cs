using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Health;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Hosting.Tests;

[Trait("Engine", "Fake")]
public sealed class EngineDrainServiceTests
{
    [Fact]
    public async Task ApplicationStopping_ModelServed_ReadinessDrainingAndEngineRefusesNewRequests()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine();
        using var harness = new Harness(engine, TimeSpan.FromSeconds(30));
        await harness.Service.StartAsync(CancellationToken.None);

        harness.Lifetime.StopApplication();

        Assert.Equal([ServerReadiness.Draining], harness.Readiness.NotReadyReasons);
        Assert.True(engine.Load.Draining);
        var refused = await Assert.ThrowsAsync<EngineBusyException>(() => Drain(engine.GenerateAsync(Request(), CancellationToken.None)));
        Assert.Equal(EngineBusyReason.Draining, refused.Reason);
    }

    [Fact]
    public async Task StoppingAsync_RequestInFlight_WaitsUntilItFinishes()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine(pauseAfterBlocks: 1);
        using var harness = new Harness(engine, TimeSpan.FromSeconds(30));
        Task generation = Drain(engine.GenerateAsync(Request(), CancellationToken.None));
        await WaitUntilAsync(() => engine.Load.Running == 1);

        Task stopping = harness.Service.StoppingAsync(CancellationToken.None);
        await Task.Delay(100);
        bool waited = !stopping.IsCompleted;
        engine.Gate.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        await generation;

        Assert.True(waited, "StoppingAsync returned while a request was running.");
        Assert.Contains(harness.Logs.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("Drained in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StoppingAsync_RequestOutlastsTheTimeout_WarnsAndAbandonsItWithARetryableError()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine(pauseAfterBlocks: 1);
        using var harness = new Harness(engine, TimeSpan.FromMilliseconds(100));
        Task generation = Drain(engine.GenerateAsync(Request(), CancellationToken.None));
        await WaitUntilAsync(() => engine.Load.Running == 1);

        await harness.Service.StoppingAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Contains(harness.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("1 running requests", StringComparison.Ordinal));
        EngineBusyException abandoned = await Assert.ThrowsAsync<EngineBusyException>(() => generation);
        Assert.Equal(EngineBusyReason.Draining, abandoned.Reason);
    }

    [Fact]
    public async Task StoppingAsync_ModelNotLoaded_ReturnsAtOnceAndHoldsReadinessDown()
    {
        using var harness = new Harness(engine: null, TimeSpan.FromSeconds(30));

        await harness.Service.StoppingAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Contains(ServerReadiness.Draining, harness.Readiness.NotReadyReasons);
    }

    private static GenerationRequest Request() => new() { PromptTokens = [2, 3, 4], MaxTokens = 64 };

    private static async Task Drain(IAsyncEnumerable<GenerationUpdate> updates)
    {
        await foreach (GenerationUpdate _ in updates)
        {
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the condition.");
            await Task.Delay(5);
        }
    }

    private sealed class Harness : IDisposable
    {
        private readonly ServiceProvider services;

        public Harness(FakeGenerationEngine? engine, TimeSpan drainTimeout)
        {
            services = new ServiceCollection()
                .AddSingleton<ModelCatalog>()
                .AddSingleton<ServerReadiness>()
                .AddSingleton<IHostApplicationLifetime>(Lifetime)
                .AddSingleton(TimeProvider.System)
                .AddSingleton(Options.Create(new DrainOptions { DrainTimeout = drainTimeout }))
                .AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug))
                .AddSingleton<EngineDrainService>()
                .BuildServiceProvider();
            if (engine is not null)
            {
                Catalog.Publish(FakeServedModel.Create(engine));
                Readiness.SetReady(ServerReadiness.ModelLoading);
            }
        }

        public FakeLifetime Lifetime { get; } = new();

        public CapturingLoggerProvider Logs { get; } = new();

        public ModelCatalog Catalog => services.GetRequiredService<ModelCatalog>();

        public ServerReadiness Readiness => services.GetRequiredService<ServerReadiness>();

        public EngineDrainService Service => services.GetRequiredService<EngineDrainService>();

        public void Dispose()
        {
            services.Dispose();
            Lifetime.Dispose();
        }
    }

    private sealed class FakeLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => stopping.Cancel();

        public void Dispose() => stopping.Dispose();
    }
}
