using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Quicksilver.Gateway.RateLimiting;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Tenancy;
using Quicksilver.Gateway.Telemetry;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Quicksilver.Gateway.Relay;

/// <summary>
/// The gateway's request and response transforms on every model route.
/// Requests: the client's API key and any client copy of the internal headers are removed, and the tenant, the pod key
/// and (for streams) the usage request are stamped. Answers: the piggy-backed load is read and removed; a 503 or
/// 429 is swallowed when another pod can be tried (not a 503 marked <c>X-Quicksilver-No-Retry</c>: a queue timeout),
/// and a last 503 after a 429 is swallowed for the gateway's own 429; a 401, which a pod answers only to the gateway's
/// key, never to the client's, is never relayed: the pod holds another key, so it is ejected, the error logged, and the
/// request tried on another pod or answered 502;
/// a 200 is relayed through <see cref="SseRelayStream"/> or <see cref="JsonUsageTapStream"/> to meter it.
/// </summary>
internal sealed partial class PodTransforms(
    IOptions<GatewayOptions> options,
    PodLoadRegistry loads,
    TenantTokenBudgets budgets,
    PodEjection ejection,
    GatewayMetrics metrics,
    ILogger<PodTransforms> logger) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        context.AddRequestTransform(StampRequest);
        context.AddResponseTransform(RelayAnswer);
    }

    private ValueTask StampRequest(RequestTransformContext context)
    {
        var headers = context.ProxyRequest.Headers;
        headers.Remove("Authorization");
        foreach (string header in PodHeaders.Internal)
        {
            headers.Remove(header);
        }

        if (context.HttpContext.GetTenant() is { } tenant)
        {
            headers.TryAddWithoutValidation(PodHeaders.Tenant, tenant.Id);
            headers.TryAddWithoutValidation(PodHeaders.GatewayKey, options.Value.PodKey);
        }

        if (context.HttpContext.Features.Get<ProxiedRequest>() is { Stream: true })
        {
            headers.TryAddWithoutValidation(PodHeaders.IncludeUsage, "true");
        }

        return ValueTask.CompletedTask;
    }

    private ValueTask RelayAnswer(ResponseTransformContext context)
    {
        if (context.ProxyResponse is not { } answer)
        {
            return ValueTask.CompletedTask;
        }

        HttpContext http = context.HttpContext;
        http.Response.Headers.Remove(PodLoad.HeaderName);
        http.Response.Headers.Remove(PodHeaders.PromptTokens);
        http.Response.Headers.Remove(PodHeaders.NoRetry);
        RemoveUpstreamRateLimitHeaders(http.Response.Headers);
        if (http.GetReverseProxyFeature().ProxiedDestination is { } pod
            && answer.Headers.TryGetValues(PodLoad.HeaderName, out var values)
            && PodLoad.ParseHeader(values.FirstOrDefault()) is { } load)
        {
            loads.Report(pod.Model.Config.Address, load);
        }

        ForwardAttempts? attempts = http.Features.Get<ForwardAttempts>();
        if (attempts?.BeginAnswer() == false)
        {
            // Taken back from a pod held for hung just before its answer came: the request goes to another pod.
            context.SuppressResponseBody = true;
            return ValueTask.CompletedTask;
        }

        int status = (int)answer.StatusCode;
        if (status == StatusCodes.Status401Unauthorized)
        {
            RefuseKey(http, attempts);
            context.SuppressResponseBody = true;
            return ValueTask.CompletedTask;
        }

        if (status == StatusCodes.Status429TooManyRequests)
        {
            attempts?.RecordShed(answer.Headers.RetryAfter?.Delta);
        }

        // A pod's queue timeout is not tried on another pod: the request has waited out one queue already.
        bool queueTimedOut = status == StatusCodes.Status503ServiceUnavailable && answer.Headers.Contains(PodHeaders.NoRetry);
        if (queueTimedOut)
        {
            attempts?.RecordQueueTimeout();
        }
        else if (status is (StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests) && attempts?.TryClaimRetry() == true)
        {
            context.SuppressResponseBody = true;
            return ValueTask.CompletedTask;
        }

        // The last pod tried is unavailable (draining, queue timeout) after another shed the request: the model is
        // busy rather than down, so the client gets the gateway's 429 (RetryingForwarderMiddleware), not this 503.
        if (status == StatusCodes.Status503ServiceUnavailable && attempts?.ShedRetryAfter is not null)
        {
            attempts.WithholdAnswer();
            context.SuppressResponseBody = true;
            return ValueTask.CompletedTask;
        }

        if (status == StatusCodes.Status200OK && http.Features.Get<ProxiedRequest>() is { } request)
        {
            var observer = new AnswerObserver(http, request, budgets, ejection, metrics, PromptTokens(answer));
            string? mediaType = answer.Content.Headers.ContentType?.MediaType;
            if (mediaType == "text/event-stream")
            {
                answer.Content = new RelayedContent(answer.Content, body => new SseRelayStream(body, request.ClientWantsUsage, observer, attempts?.AnswerCut));
            }
            else if (mediaType == "application/json")
            {
                long? length = answer.Content.Headers.ContentLength;
                answer.Content = new RelayedContent(answer.Content, body => new JsonUsageTapStream(body, length, observer));
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>A pod refused the gateway's key: out of rotation, and the request to another pod or answered 502.</summary>
    private void RefuseKey(HttpContext http, ForwardAttempts? attempts)
    {
        LogKeyRefused(logger, http.GetReverseProxyFeature().ProxiedDestination?.Model.Config.Address ?? "(unknown)");
        ejection.EjectProxiedPod(http);
        attempts?.RecordKeyRefused();
        if (attempts?.TryClaimRetry() != true)
        {
            attempts?.WithholdAnswer();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The pod {Address} refused the gateway's key (401): Gateway:PodKey differs from its Quicksilver:Tenancy:GatewayKey. It is ejected and the request goes to another pod; while a key is rotated, give the pods the old key as Quicksilver:Tenancy:PreviousGatewayKey")]
    private static partial void LogKeyRefused(ILogger logger, string address);

    /// <summary>The answer's prompt tokens as its pod announced them; 0 when it did not (an older pod) or sent nonsense.</summary>
    private static int PromptTokens(HttpResponseMessage answer) =>
        answer.Headers.TryGetValues(PodHeaders.PromptTokens, out var values)
        && int.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int tokens)
            ? tokens
            : 0;

    /// <summary>
    /// An upstream's own <c>x-ratelimit-*</c> headers (an external model's: the platform key's quota) are not the
    /// tenant's; the gateway writes the tenant's (<see cref="RateLimitHeaders"/>).
    /// </summary>
    private static void RemoveUpstreamRateLimitHeaders(IHeaderDictionary headers)
    {
        foreach (string name in headers.Keys.Where(name => name.StartsWith("x-ratelimit-", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            headers.Remove(name);
        }
    }
}
