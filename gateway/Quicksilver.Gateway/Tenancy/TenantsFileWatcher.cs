using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;

namespace Quicksilver.Gateway.Tenancy;

/// <summary>
/// Loads the tenants file at start (a missing or invalid file stops the gateway with the reason) and re-reads it every
/// <see cref="TenancyOptions.ReloadInterval"/>. Polling rather than a file watcher: Kubernetes updates a mounted Secret
/// by swapping a symlink, which file watchers miss.
/// </summary>
internal sealed class TenantsFileWatcher(TenantDirectory directory, IOptions<TenancyOptions> options, TimeProvider time) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await directory.ReloadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReloadInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await directory.ReloadAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
