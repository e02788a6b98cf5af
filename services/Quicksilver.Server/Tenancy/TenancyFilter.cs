using Microsoft.Extensions.Options;
using Quicksilver.Engine.Metering;
using Quicksilver.Server.Errors;
using Quicksilver.Server.Http;

namespace Quicksilver.Server.Tenancy;

/// <summary>
/// Establishes the <see cref="Caller"/> of a <c>/v1</c> request. A request is from the gateway when it carries the
/// configured key (<c>X-Quicksilver-Gateway-Key</c>, <see cref="GatewayKey"/>); only then is its
/// <c>X-Quicksilver-Tenant</c> believed (anyone else sending one is refused: a client must not bill another tenant)
/// and its <c>X-Quicksilver-Include-Usage</c> honoured. With <see cref="TenancyOptions.RequireGateway"/> every other
/// request is refused.
/// </summary>
internal sealed class TenancyFilter(GatewayKey key, IOptions<TenancyOptions> options) : IEndpointFilter
{
    private static readonly ApiError SpoofedTenant = ApiError.Unauthorized(
        "X-Quicksilver-Tenant is only accepted from the Quicksilver gateway: the request's X-Quicksilver-Gateway-Key is missing or wrong.",
        "invalid_gateway_key");

    private static readonly ApiError GatewayRequired = ApiError.Unauthorized(
        "This server only accepts requests through the Quicksilver gateway.",
        "gateway_required");

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        IHeaderDictionary headers = context.HttpContext.Request.Headers;
        bool fromGateway = key.Matches(headers[QuicksilverHeaders.GatewayKey]);
        string? tenant = headers.TryGetValue(QuicksilverHeaders.Tenant, out var named) ? named.ToString() : null;
        if (tenant is not null && !fromGateway)
        {
            return SpoofedTenant.ToResult();
        }

        if (!fromGateway && options.Value.RequireGateway)
        {
            return GatewayRequired.ToResult();
        }

        if (tenant is not null && !TenantIdFormat.IsValid(tenant))
        {
            return ApiError.BadRequest($"{QuicksilverHeaders.Tenant} must be {TenantIdFormat.Rule}.", null).ToResult();
        }

        bool wantsUsage = fromGateway && bool.TryParse(headers[QuicksilverHeaders.IncludeUsage], out bool include) && include;
        context.HttpContext.Features.Set(fromGateway ? new Caller(tenant ?? Tenants.Anonymous, FromGateway: true, wantsUsage) : Caller.Anonymous);
        return await next(context);
    }
}
