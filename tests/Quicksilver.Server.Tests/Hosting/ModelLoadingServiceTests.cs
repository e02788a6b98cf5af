using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quicksilver.Engine;
using Quicksilver.Server.Health;
using Quicksilver.Server.Hosting;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Hosting.Tests;

public sealed class ModelLoadingServiceTests
{
    [Fact]
    public async Task Execute_ModelLoads_PublishesItAndBecomesReady()
    {
        ServedModel model = FakeServedModel.Create();
        using var host = new Harness(_ => model);

        await host.RunAsync();

        Assert.Same(model, Assert.Single(host.Catalog.Models));
        Assert.True(host.Readiness.IsReady);
        Assert.False(host.Lifetime.ApplicationStopping.IsCancellationRequested);
    }

    [Fact]
    public async Task Execute_LoaderThrows_LogsTheReasonAndStopsWithExitCode1()
    {
        using var host = new Harness(_ => throw new DirectoryNotFoundException("Model folder 'x' not found"));
        try
        {
            await host.RunAsync();

            Assert.True(host.Lifetime.ApplicationStopping.IsCancellationRequested);
            Assert.Equal(1, Environment.ExitCode);
            Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Critical && e.Message.Contains("Model folder 'x' not found", StringComparison.Ordinal));
            Assert.Empty(host.Catalog.Models);
            Assert.Equal([ServerReadiness.ModelLoading], host.Readiness.NotReadyReasons);
        }
        finally
        {
            // The service sets the exit code of a real server; this process is the test runner.
            Environment.ExitCode = 0;
        }
    }

    private sealed class Harness : IDisposable
    {
        private readonly ServiceProvider services;

        public Harness(Func<IServiceProvider, ServedModel> load)
        {
            services = new ServiceCollection()
                .AddSingleton(load)
                .AddSingleton<ModelCatalog>()
                .AddSingleton<ServerReadiness>()
                .AddSingleton<IHostApplicationLifetime>(Lifetime)
                .AddLogging(logging => logging.AddProvider(Logs))
                .AddSingleton<ModelLoadingService>()
                .BuildServiceProvider();
        }

        public FakeLifetime Lifetime { get; } = new();

        public CapturingLoggerProvider Logs { get; } = new();

        public ModelCatalog Catalog => services.GetRequiredService<ModelCatalog>();

        public ServerReadiness Readiness => services.GetRequiredService<ServerReadiness>();

        public async Task RunAsync()
        {
            ModelLoadingService service = services.GetRequiredService<ModelLoadingService>();
            await service.StartAsync(CancellationToken.None);
            await service.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));
        }

        public void Dispose() => services.Dispose();
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
