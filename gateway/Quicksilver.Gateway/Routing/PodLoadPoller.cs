using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Yarp.ReverseProxy;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Polls every pod's <c>GET /load</c> each <see cref="RoutingOptions.LoadPollInterval"/> into the
/// <see cref="PodLoadRegistry"/> (answers piggy-back the same signal in between). A pod that does not answer keeps
/// its last report, and one that is slow to answer is left to the health checks. But after each round of polls, the
/// pods the <see cref="HungPodJudge"/> holds for hung (a stopped or wedged process still accepts connections) are
/// ejected until they answer again, the requests they hold unanswered are taken back (<see cref="UnansweredRequests"/>)
/// for another pod, and the streams they began are ended with an error event. A pod the readiness checks took out of
/// rotation comes back as soon as a poll finds it ready, and one a poll finds not ready leaves it
/// (<see cref="PodReadiness.Follow"/>). A pod no longer routed to is forgotten.
/// </summary>
internal sealed partial class PodLoadPoller(
    IProxyStateLookup proxyState,
    PodLoadRegistry registry,
    HungPodJudge judge,
    UnansweredRequests unanswered,
    PodEjection ejection,
    PodReadiness readiness,
    IHttpClientFactory httpClients,
    IOptions<RoutingOptions> options,
    TimeProvider time,
    ILogger<PodLoadPoller> logger) : BackgroundService
{
    public const string HttpClientName = "pod-load";

    private bool _noPodAnswered;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        HttpClient client = httpClients.CreateClient(HttpClientName);
        using var timer = new PeriodicTimer(options.Value.LoadPollInterval, time);
        try
        {
            do
            {
                RoutedPod[] pods = [.. proxyState.GetClusters().SelectMany(cluster => cluster.Destinations.Values.Select(destination => new RoutedPod(cluster, destination)))];
                registry.Retain(pods.Select(pod => pod.Address));
                await Task.WhenAll(pods.Select(pod => PollAsync(client, pod, stoppingToken)));
                HoldHungPods(pods);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PollAsync(HttpClient client, RoutedPod pod, CancellationToken cancellationToken)
    {
        try
        {
            using HttpResponseMessage answer = await client.GetAsync(new Uri(new Uri(pod.Address), "/load"), cancellationToken);
            byte[] body = await answer.Content.ReadAsByteArrayAsync(cancellationToken);
            if (registry.Heard(pod.Address))
            {
                ejection.Readmit(pod);
                LogPodAnswersAgain(logger, pod.Address);
            }

            if (answer.IsSuccessStatusCode && PodLoad.ParseReport(body) is { } load)
            {
                registry.Report(pod.Address, load);
                if (load.Ready is bool ready && readiness.Follow(pod, ready))
                {
                    LogReadinessFollowed(logger, pod.Address, ready ? "ready: in rotation" : "not ready: out of rotation");
                }
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogPollFailed(logger, pod.Address, exception.Message);
        }
    }

    private void HoldHungPods(RoutedPod[] pods)
    {
        if (judge.Judge(pods) is not { } hung)
        {
            if (!_noPodAnswered)
            {
                LogNoPodAnswered(logger, pods.Length, options.Value.LongestPollGap.TotalSeconds);
            }

            _noPodAnswered = true;
            return;
        }

        _noPodAnswered = false;
        foreach (RoutedPod pod in hung)
        {
            // Ejected before its requests are taken back, so that their retries are not balanced onto it.
            ejection.EjectHung(pod);
            bool newly = registry.MarkHung(pod.Address);
            (int takenBack, int cut) = unanswered.TakeBack(pod.Address);
            if (newly || takenBack > 0 || cut > 0)
            {
                LogPodHung(logger, pod.Address, registry.SilenceOf(pod.Address).TotalSeconds, takenBack, cut);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The pod {Address} has answered nothing for {Seconds:0.0} s: taken for hung and ejected until it answers, {Requests} requests it held unanswered go to other pods, {Streams} answers it had begun are ended")]
    private static partial void LogPodHung(ILogger logger, string address, double seconds, int requests, int streams);

    [LoggerMessage(Level = LogLevel.Information, Message = "The pod {Address}, taken for hung, answers again: back in rotation")]
    private static partial void LogPodAnswersAgain(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "The pod {Address} reports on its load poll that it is {Verdict}")]
    private static partial void LogReadinessFollowed(ILogger logger, string address, string verdict);

    [LoggerMessage(Level = LogLevel.Warning, Message = "None of the {Pods} pods has answered a load poll in the last {Seconds:0.0} s: taken for trouble on the gateway's side, no pod is taken for hung")]
    private static partial void LogNoPodAnswered(ILogger logger, int pods, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Load poll of {Address} failed: {Problem}")]
    private static partial void LogPollFailed(ILogger logger, string address, string problem);
}
