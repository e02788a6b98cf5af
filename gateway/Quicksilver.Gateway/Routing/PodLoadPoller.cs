using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Polls every pod's <c>GET /load</c> each <see cref="RoutingOptions.LoadPollInterval"/> into the
/// <see cref="PodLoadRegistry"/> (answers piggy-back the same signal in between). A pod that does not answer keeps
/// its last report; taking it out of rotation is the health checks' job. But one that has answered no poll for
/// <see cref="RoutingOptions.UnresponsivePodTimeout"/> is hung: the requests it holds unanswered are taken back
/// (<see cref="UnansweredRequests"/>) for another pod. A pod no longer routed to is forgotten.
/// </summary>
internal sealed partial class PodLoadPoller(
    IProxyStateLookup proxyState,
    PodLoadRegistry registry,
    UnansweredRequests unanswered,
    IHttpClientFactory httpClients,
    IOptions<RoutingOptions> options,
    TimeProvider time,
    ILogger<PodLoadPoller> logger) : BackgroundService
{
    public const string HttpClientName = "pod-load";

    private readonly ConcurrentDictionary<string, long> _lastAnswered = new(StringComparer.OrdinalIgnoreCase);

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
                Retain(addresses);
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
            _lastAnswered[address] = time.GetTimestamp();
            if (PodLoad.ParseReport(body) is { } load)
            {
                registry.Report(address, load);
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogPollFailed(logger, address, exception.Message);
            if (_lastAnswered.TryGetValue(address, out long answered) && time.GetElapsedTime(answered) is var silence
                && silence >= options.Value.UnresponsivePodTimeout && unanswered.TakeBack(address) is > 0 and int taken)
            {
                LogPodHung(logger, address, silence.TotalSeconds, taken);
            }
        }
    }

    /// <summary>Starts the silence of pods new to the routes at now, and forgets those gone from them.</summary>
    private void Retain(string[] addresses)
    {
        long now = time.GetTimestamp();
        foreach (string address in addresses)
        {
            _lastAnswered.TryAdd(address, now);
        }

        var routed = new HashSet<string>(addresses, StringComparer.OrdinalIgnoreCase);
        foreach (string address in _lastAnswered.Keys.Where(address => !routed.Contains(address)))
        {
            _lastAnswered.TryRemove(address, out _);
        }

        unanswered.Retain(routed);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The pod {Address} has answered no load poll for {Seconds:0.0} s: taken for hung, {Requests} requests it held unanswered go to other pods")]
    private static partial void LogPodHung(ILogger logger, string address, double seconds, int requests);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Load poll of {Address} failed: {Problem}")]
    private static partial void LogPollFailed(ILogger logger, string address, string problem);
}
