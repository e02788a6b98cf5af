using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Polls every pod's <c>GET /load</c> each <see cref="RoutingOptions.LoadPollInterval"/> into the
/// <see cref="PodLoadRegistry"/> (answers piggy-back the same signal in between). A pod that does not answer keeps
/// its last report; taking it out of rotation is the health checks' job. A pod no longer routed to is forgotten.
/// </summary>
internal sealed partial class PodLoadPoller(
    IProxyStateLookup proxyState,
    PodLoadRegistry registry,
    IHttpClientFactory httpClients,
    IOptions<RoutingOptions> options,
    TimeProvider time,
    ILogger<PodLoadPoller> logger) : BackgroundService
{
    public const string HttpClientName = "pod-load";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        HttpClient client = httpClients.CreateClient(HttpClientName);
        using var timer = new PeriodicTimer(options.Value.LoadPollInterval, time);
        try
        {
            do
            {
                string[] addresses = [.. proxyState.GetClusters().SelectMany(cluster => cluster.Destinations.Values).Select(d => d.Model.Config.Address)];
                registry.Retain(addresses);
                await Task.WhenAll(addresses.Select(address => PollAsync(client, address, stoppingToken)));
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PollAsync(HttpClient client, string address, CancellationToken cancellationToken)
    {
        try
        {
            byte[] body = await client.GetByteArrayAsync(new Uri(new Uri(address), "/load"), cancellationToken);
            if (PodLoad.ParseReport(body) is { } load)
            {
                registry.Report(address, load);
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogPollFailed(logger, address, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Load poll of {Address} failed: {Problem}")]
    private static partial void LogPollFailed(ILogger logger, string address, string problem);
}
