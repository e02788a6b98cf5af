using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Polls every pod's <c>GET /load</c> each <see cref="RoutingOptions.LoadPollInterval"/> into the
/// <see cref="PodLoadRegistry"/> (answers piggy-back the same signal in between). A pod that does not answer keeps
/// its last report, and one that is slow to answer is left to the health checks. But one that has answered nothing
/// for <see cref="RoutingOptions.UnresponsivePodTimeout"/> while another pod was heard from is hung (a stopped or
/// wedged process still accepts connections): it is ejected, again after each poll it leaves unanswered, and the
/// requests it holds unanswered are taken back (<see cref="UnansweredRequests"/>) for another pod. When no pod at all
/// is heard from, the trouble is taken for the gateway's own (its network, a starved process) and nothing is taken
/// back. A pod no longer routed to is forgotten.
/// </summary>
internal sealed partial class PodLoadPoller(
    IProxyStateLookup proxyState,
    PodLoadRegistry registry,
    UnansweredRequests unanswered,
    PodEjection ejection,
    IHttpClientFactory httpClients,
    IOptions<RoutingOptions> options,
    TimeProvider time,
    ILogger<PodLoadPoller> logger) : BackgroundService
{
    public const string HttpClientName = "pod-load";

    private bool _noPodHeard;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        HttpClient client = httpClients.CreateClient(HttpClientName);
        using var timer = new PeriodicTimer(options.Value.LoadPollInterval, time);
        try
        {
            do
            {
                Pod[] pods = [.. proxyState.GetClusters().SelectMany(cluster => cluster.Destinations.Values.Select(destination => new Pod(cluster, destination)))];
                registry.Retain(pods.Select(pod => pod.Address));
                await Task.WhenAll(pods.Select(pod => PollAsync(client, pod.Address, stoppingToken)));
                JudgeSilentPods(pods);
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
            using HttpResponseMessage answer = await client.GetAsync(new Uri(new Uri(address), "/load"), cancellationToken);
            byte[] body = await answer.Content.ReadAsByteArrayAsync(cancellationToken);
            if (registry.Heard(address))
            {
                LogPodAnswersAgain(logger, address);
            }

            if (answer.IsSuccessStatusCode && PodLoad.ParseReport(body) is { } load)
            {
                registry.Report(address, load);
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogPollFailed(logger, address, exception.Message);
        }
    }

    /// <summary>Takes the pods silent for too long for hung, unless no pod was heard from lately.</summary>
    private void JudgeSilentPods(Pod[] pods)
    {
        RoutingOptions routing = options.Value;
        Pod[] silent = [.. pods.Where(pod => registry.SilenceOf(pod.Address) >= routing.UnresponsivePodTimeout)];
        if (silent.Length == 0)
        {
            _noPodHeard = false;
            return;
        }

        if (!pods.Any(pod => registry.SilenceOf(pod.Address) <= routing.LongestPollGap))
        {
            if (!_noPodHeard)
            {
                LogNoPodHeard(logger, silent.Length, routing.LongestPollGap.TotalSeconds);
            }

            _noPodHeard = true;
            return;
        }

        _noPodHeard = false;
        foreach (Pod pod in silent)
        {
            // Ejected before its requests are taken back, so that their retries are not balanced onto it.
            ejection.Eject(pod.Cluster, pod.Destination);
            bool newly = registry.MarkHung(pod.Address);
            int taken = unanswered.TakeBack(pod.Address);
            if (newly || taken > 0)
            {
                LogPodHung(logger, pod.Address, registry.SilenceOf(pod.Address).TotalSeconds, taken);
            }
        }
    }

    private readonly record struct Pod(ClusterState Cluster, DestinationState Destination)
    {
        public string Address => Destination.Model.Config.Address;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The pod {Address} has answered nothing for {Seconds:0.0} s: taken for hung and ejected, {Requests} requests it held unanswered go to other pods")]
    private static partial void LogPodHung(ILogger logger, string address, double seconds, int requests);

    [LoggerMessage(Level = LogLevel.Information, Message = "The pod {Address}, taken for hung, answers again")]
    private static partial void LogPodAnswersAgain(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Pods} pods have answered no load poll for too long, but no pod at all was heard from in the last {Seconds:0.0} s: taken for trouble on the gateway's side, no pod is taken for hung")]
    private static partial void LogNoPodHeard(ILogger logger, int pods, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Load poll of {Address} failed: {Problem}")]
    private static partial void LogPollFailed(ILogger logger, string address, string problem);
}
