using Microsoft.Extensions.Options;
using Quicksilver.Engine;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Health;

namespace Quicksilver.Server.Hosting;

/// <summary>
/// Graceful shutdown. As soon as the application is told to stop (SIGTERM → <c>ApplicationStopping</c>) readiness
/// reports <see cref="ServerReadiness.Draining"/> and every engine stops admitting (new requests get 503 with
/// <c>Retry-After</c>). Then, before any hosted service stops — the web server included, so that it keeps answering —
/// it waits up to <see cref="DrainOptions.DrainTimeout"/> for the accepted requests to finish; past it, the engines
/// end what remains with a retryable error. The web server then sends what is left and closes;
/// <see cref="ModelLoadingService"/> stops the engines last.
/// </summary>
internal sealed class EngineDrainService(
    ModelCatalog catalog,
    ServerReadiness readiness,
    IHostApplicationLifetime lifetime,
    IOptions<DrainOptions> options,
    TimeProvider time,
    ILogger<EngineDrainService> logger) : IHostedLifecycleService, IDisposable
{
    private CancellationTokenRegistration _stopping;
    private int _draining;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(static state => ((EngineDrainService)state!).BeginDrain(), this);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs before every hosted service's <c>StopAsync</c>: drains while the server still answers.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        BeginDrain();
        IReadOnlyList<ServedModel> models = catalog.Models;
        if (models.Count == 0)
        {
            return;
        }

        TimeSpan timeout = options.Value.DrainTimeout;
        EngineLoad load = Total(models);
        DrainLog.Draining(logger, timeout.TotalSeconds, load.Waiting, load.Running);
        long started = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(timeout, time);
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await Task.WhenAll(models.Select(model => model.Engine.WaitForIdleAsync(drain.Token)));
            DrainLog.Drained(logger, time.GetElapsedTime(started).TotalSeconds);
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
            load = Total(models);
            DrainLog.DrainTimedOut(logger, time.GetElapsedTime(started).TotalSeconds, load.Waiting, load.Running);

            // Their clients get a 503 or a stream's error event and [DONE], which the web server, stopping next, still
            // sends, rather than a connection cut mid-answer.
            foreach (ServedModel model in models)
            {
                model.Engine.AbandonRemaining();
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();

    /// <summary>Stops admitting: readiness down with <see cref="ServerReadiness.Draining"/>, engines draining. Idempotent.</summary>
    public void BeginDrain()
    {
        if (Interlocked.Exchange(ref _draining, 1) == 1)
        {
            return;
        }

        readiness.SetNotReady(ServerReadiness.Draining);
        foreach (ServedModel model in catalog.Models)
        {
            model.Engine.BeginDrain();
        }
    }

    private static EngineLoad Total(IReadOnlyList<ServedModel> models) => models
        .Select(model => model.Engine.Load)
        .Aggregate(new EngineLoad(0, 0, 0, true), static (sum, load) => new EngineLoad(
            sum.Waiting + load.Waiting, sum.Running + load.Running, sum.TokensInFlight + load.TokensInFlight, sum.Draining && load.Draining));
}
