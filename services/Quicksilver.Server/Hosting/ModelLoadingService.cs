using System.Diagnostics;
using Quicksilver.Engine;
using Quicksilver.Server.Health;

namespace Quicksilver.Server.Hosting;

/// <summary>
/// Loads the model in the background once the host has started, so that liveness answers while a large checkpoint
/// loads; then publishes it and lifts the <see cref="ServerReadiness.ModelLoading"/> reason. A model that cannot be
/// loaded stops the process with exit code 1 and the reason in the log. At shutdown it stops the model's engine last,
/// in <see cref="StoppedAsync"/>: after <see cref="EngineDrainService"/> has let accepted requests finish and after
/// the web server has stopped, whatever order or concurrency the hosted services stop in.
/// </summary>
internal sealed class ModelLoadingService(
    IServiceProvider services,
    ModelCatalog catalog,
    ServerReadiness readiness,
    IHostApplicationLifetime lifetime,
    ILogger<ModelLoadingService> logger) : BackgroundService, IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        foreach (ServedModel model in catalog.Models)
        {
            switch (model.Engine)
            {
                case IAsyncDisposable engine:
                    await engine.DisposeAsync();
                    break;
                case IDisposable engine:
                    engine.Dispose();
                    break;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ServerLog.ModelLoading(logger);
        var clock = Stopwatch.StartNew();
        try
        {
            // Resolving the singleton runs the loader registered by AddQuicksilverModel (or a test's replacement).
            ServedModel model = await Task.Run(services.GetRequiredService<ServedModel>, stoppingToken);
            catalog.Publish(model);
            readiness.SetReady(ServerReadiness.ModelLoading);
            ServerLog.ModelLoaded(logger, model.Id, model.BackendName, clock.Elapsed.TotalSeconds, model.ContextLength);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // Whatever the loader throws, the answer is the same: log why and stop.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            ServerLog.ModelLoadFailed(logger, exception, exception.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }
}
