using Quicksilver.Gateway.Errors;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Telemetry;

namespace Quicksilver.Gateway.Tenancy;

/// <summary>
/// Every <c>/v1/*</c> request (and vLLM's <c>/tokenize</c> and <c>/detokenize</c>, which the pods serve) must carry <c>Authorization: Bearer &lt;key&gt;</c> of a known tenant (401 otherwise);
/// the tenant is attached to the request for rate limiting, routing and metering.
/// </summary>
internal sealed class TenantAuthenticationMiddleware(RequestDelegate next, TenantDirectory tenants, GatewayMetrics metrics)
{
    private const string BearerPrefix = "Bearer ";

    public Task InvokeAsync(HttpContext context)
    {
        // Any case, as the routes match: /V1/models is the API too, and must not skip the key.
        if (!context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase) && !ModelRoutingMiddleware.IsTokenizer(context.Request.Path))
        {
            return next(context);
        }

        string? authorization = context.Request.Headers.Authorization;
        if (authorization is null || !authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || authorization.Length == BearerPrefix.Length)
        {
            metrics.Rejected(tenant: null, GatewayMetrics.RejectionReasons.MissingKey);
            return GatewayError.MissingApiKey().WriteAsync(context.Response);
        }

        if (tenants.Authenticate(authorization[BearerPrefix.Length..].Trim()) is not { } tenant)
        {
            metrics.Rejected(tenant: null, GatewayMetrics.RejectionReasons.InvalidKey);
            return GatewayError.InvalidApiKey().WriteAsync(context.Response);
        }

        context.Features.Set(tenant);
        return next(context);
    }
}
