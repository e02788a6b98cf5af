using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Errors;
using Quicksilver.Gateway.Options;
using Quicksilver.Gateway.RateLimiting;
using Quicksilver.Gateway.Relay;
using Quicksilver.Gateway.Telemetry;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// The first step of the proxy pipeline: runs balancing and forwarding once per try, and tries another pod when the
/// chosen one failed before any byte of the answer reached the client — connection refused or reset, connect timeout,
/// a pod hung with the request (<see cref="UnansweredRequests"/>), a 503/429 from the pod, or its 401 to the gateway's
/// key (<see cref="PodTransforms"/> claims those). Never after the answer began: a
/// stream is not replayed. The request body was buffered by <see cref="ModelRoutingMiddleware"/>, so it is rewound
/// for each try. When no try succeeds, the client gets OpenAI's error shape: 429 when a pod shed the request (busy:
/// the last pod's own 429, or the gateway's with the shortest <c>Retry-After</c> the pods gave when the last try failed
/// otherwise), 503 when no pod could take it, 504 when one timed out. A client that leaves once the gateway began
/// forwarding its request to a pod, before the pod's answer began, is debited the answer's ceiling
/// (<see cref="AnswerObserver.DebitCeiling"/>): a non-streamed answer's headers come only when it is done, so the pod
/// may have spent the whole answer's device time on it. A client already gone is not tried on another pod. A request
/// the model's pods could not take (429, 503, 504, theirs relayed or the gateway's) is counted a rejection.
/// </summary>
internal sealed class RetryingForwarderMiddleware(
    RequestDelegate next,
    RetryBudget budget,
    IOptions<RoutingOptions> options,
    TenantTokenBudgets budgets,
    GatewayMetrics metrics,
    DrainDeadline drain)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await ForwardAsync(context);
        if (!ClientLeft(context) && RejectionReason(context) is { } reason && context.Features.Get<ProxiedRequest>() is { } request)
        {
            metrics.Rejected(request.Tenant, reason, request.Model);
        }
    }

    private static string? RejectionReason(HttpContext context) => context.Response.StatusCode switch
    {
        StatusCodes.Status429TooManyRequests => GatewayMetrics.RejectionReasons.ModelBusy,
        StatusCodes.Status503ServiceUnavailable when context.Features.Get<ForwardAttempts>()?.QueueTimedOut == true => GatewayMetrics.RejectionReasons.ModelBusy,
        StatusCodes.Status503ServiceUnavailable => GatewayMetrics.RejectionReasons.ModelUnavailable,
        StatusCodes.Status504GatewayTimeout => GatewayMetrics.RejectionReasons.ModelTimeout,
        StatusCodes.Status502BadGateway when context.Features.Get<ForwardAttempts>()?.KeyRefused == true => GatewayMetrics.RejectionReasons.PodKeyRefused,
        _ => null,
    };

    private async Task ForwardAsync(HttpContext context)
    {
        IReverseProxyFeature proxy = context.GetReverseProxyFeature();
        string model = context.Request.Headers[PodHeaders.Model].ToString();
        IReadOnlyList<DestinationState> healthy = proxy.AvailableDestinations;
        var tried = new HashSet<DestinationState>();
        var attempts = new ForwardAttempts(options.Value.MaxAttempts, budget);
        context.Features.Set(attempts);
        budget.Deposit();

        while (!ClientLeft(context))
        {
            List<DestinationState> untried = [.. healthy.Where(d => !tried.Contains(d))];
            if (untried.Count == 0)
            {
                await NoPodTookIt(model, attempts).WriteAsync(context.Response);
                return;
            }

            attempts.Begin(untried.Count - 1);
            proxy.AvailableDestinations = untried;
            context.Request.Body.Position = 0;
            await next(context);
            if (proxy.ProxiedDestination is { } destination)
            {
                tried.Add(destination);
            }

            if (context.Response.HasStarted)
            {
                return;
            }

            IForwarderErrorFeature? failure = context.GetForwarderErrorFeature();
            bool podFailed = attempts.PodHung || (failure is not null && TransportFailurePolicy.IsPodFailure(failure));
            bool retry = attempts.RetryClaimed || (podFailed && attempts.TryClaimRetry());
            if (!retry)
            {
                if (failure is { Error: ForwarderError.RequestCanceled } && proxy.ProxiedDestination is not null && ClientLeft(context)
                    && context.Features.Get<ProxiedRequest>() is { } abandoned)
                {
                    AnswerObserver.DebitCeiling(abandoned, budgets, metrics, promptTokens: 0);
                }

                if (failure is not null)
                {
                    await WriteFailureAsync(context, failure, model, attempts);
                }
                else if (attempts.PodHung)
                {
                    await GatewayError.PodTimedOut(model).WriteAsync(context.Response);
                }
                else if (attempts.AnswerWithheld)
                {
                    await NoPodTookIt(model, attempts).WriteAsync(context.Response);
                }

                return;
            }

            metrics.Retried(model);
            context.Response.Clear();
            context.Features.Set<IForwarderErrorFeature>(null);
        }
    }

    /// <summary>
    /// Whether the client went away: the request's abort token fired, and not because of the route's own request
    /// timeout (which <c>UseRequestTimeouts</c> links into it) or the gateway cutting its connections at the end of
    /// its drain (a client that leaves while the gateway drains still left).
    /// </summary>
    private bool ClientLeft(HttpContext context) =>
        context.RequestAborted.IsCancellationRequested
        && context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested != true
        && !drain.Passed;

    private Task WriteFailureAsync(HttpContext context, IForwarderErrorFeature failure, string model, ForwardAttempts attempts) => failure.Error switch
    {
        // The route's request timeout ends a request as the client leaving would (while YARP still sends the body to
        // the pod, as a cancelled body): its client is still there.
        ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled when !ClientLeft(context) => GatewayError.PodTimedOut(model).WriteAsync(context.Response),
        // The client went away: nobody to answer.
        ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
            or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient => Task.CompletedTask,
        ForwarderError.RequestTimedOut when !TransportFailurePolicy.IsConnectTimeout(failure.Exception) => GatewayError.PodTimedOut(model).WriteAsync(context.Response),
        _ => NoPodTookIt(model, attempts).WriteAsync(context.Response),
    };

    /// <summary>
    /// Every try failed: 429 when a pod shed the request (the model is busy), else 502 when a pod refused the gateway's
    /// key (a configuration the client cannot fix, and must not read as its own key refused), else 503 (none is available).
    /// </summary>
    private static GatewayError NoPodTookIt(string model, ForwardAttempts attempts) =>
        attempts.ShedRetryAfter is { } retryAfter ? GatewayError.PodsBusy(model, retryAfter)
        : attempts.KeyRefused ? GatewayError.PodsRefuseKey(model)
        : GatewayError.NoPodAvailable(model);
}
