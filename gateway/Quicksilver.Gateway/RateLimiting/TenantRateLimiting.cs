using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Quicksilver.Gateway.Errors;
using Quicksilver.Gateway.Telemetry;
using Quicksilver.Gateway.Tenancy;

namespace Quicksilver.Gateway.RateLimiting;

/// <summary>
/// ASP.NET Core rate limiting per tenant: a token bucket of requests per minute chained with the tenant's
/// <see cref="TokenBudget"/> (<see cref="TenantRateLimiters"/>); a refused request gets 429 in OpenAI's shape with
/// <c>Retry-After</c>, and every answer to a tenant with limits OpenAI's <see cref="RateLimitHeaders"/>; the gateway
/// applies it to the requests it routes to a model's pods only.
/// </summary>
internal static class TenantRateLimiting
{
    public static IServiceCollection AddTenantRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<TenantTokenBudgets>();
        services.AddSingleton<TenantRateLimiters>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<TenantRateLimiters>((options, limiters) =>
        {
            options.GlobalLimiter = limiters.Admission;
            options.OnRejected = OnRejectedAsync;
        });
        return services;
    }

    /// <summary>The rate limiter, then <see cref="RateLimitHeaders"/> on every admitted request's answer.</summary>
    public static IApplicationBuilder UseTenantRateLimiting(this IApplicationBuilder app) =>
        app.UseRateLimiter().Use((context, next) =>
        {
            RateLimitHeaders.WriteWhenTheAnswerStarts(context);
            return next(context);
        });

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        HttpContext context = rejected.HttpContext;
        bool tokens = rejected.Lease.TryGetMetadata(MetadataName.ReasonPhrase, out string? reason);
        rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter);
        retryAfter = context.RequestServices.GetRequiredService<TenantRateLimiters>().WaitForBoth(context, retryAfter);
        Tenant? tenant = context.GetTenant();
        string message = reason ?? string.Create(CultureInfo.InvariantCulture, $"Rate limit reached for requests per minute ({tenant?.RequestsPerMinute}).");
        context.RequestServices.GetRequiredService<GatewayMetrics>().Rejected(
            tenant, tokens ? GatewayMetrics.RejectionReasons.TokensPerMinute : GatewayMetrics.RejectionReasons.RequestsPerMinute);
        RateLimitHeaders.WriteWhenTheAnswerStarts(context);
        await GatewayError.RateLimited(message, retryAfter > TimeSpan.Zero ? retryAfter : null).WriteAsync(context.Response);
    }
}
