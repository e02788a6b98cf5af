using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Quicksilver.Gateway.Errors;
using Quicksilver.Gateway.Telemetry;
using Quicksilver.Gateway.Tenancy;

namespace Quicksilver.Gateway.RateLimiting;

/// <summary>
/// ASP.NET Core rate limiting per tenant: a token bucket of requests per minute chained with the tenant's
/// <see cref="TokenBudget"/>; a refused request gets 429 in OpenAI's shape with <c>Retry-After</c>.
/// </summary>
internal static class TenantRateLimiting
{
    public static IServiceCollection AddTenantRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<TenantTokenBudgets>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<TenantTokenBudgets, TimeProvider>((options, budgets, time) =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => RequestsPartition(context, time)),
                PartitionedRateLimiter.Create<HttpContext, string>(context => TokensPartition(context, budgets)));
            options.OnRejected = OnRejectedAsync;
        });
        return services;
    }

    /// <summary>
    /// A bucket of one minute's requests that refills continuously: <c>k</c> requests every <c>k · 60 s / rpm</c>,
    /// with <c>k</c> the smallest count that keeps the refill period at one second or more (exact for any rpm).
    /// </summary>
    internal static TokenBucketRateLimiterOptions RequestsBucket(int requestsPerMinute)
    {
        int perPeriod = Math.Max(1, (int)Math.Ceiling(requestsPerMinute / 60.0));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = requestsPerMinute,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) * perPeriod / requestsPerMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static RateLimitPartition<string> RequestsPartition(HttpContext context, TimeProvider time) =>
        context.GetTenant() is { RequestsPerMinute: { } limit } tenant
            ? RateLimitPartition.GetTokenBucketLimiter($"{tenant.Id}/{limit}", _ => RequestsBucket(limit))
            : RateLimitPartition.GetNoLimiter(string.Empty);

    private static RateLimitPartition<string> TokensPartition(HttpContext context, TenantTokenBudgets budgets) =>
        context.GetTenant() is { } tenant && budgets.For(tenant) is { } budget
            ? RateLimitPartition.Get($"{tenant.Id}/{budget.TokensPerMinute}", _ => budget)
            : RateLimitPartition.GetNoLimiter(string.Empty);

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        HttpContext context = rejected.HttpContext;
        bool tokens = rejected.Lease.TryGetMetadata(MetadataName.ReasonPhrase, out string? reason);
        rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter);
        Tenant? tenant = context.GetTenant();
        string message = reason ?? string.Create(CultureInfo.InvariantCulture, $"Rate limit reached for requests per minute ({tenant?.RequestsPerMinute}).");
        context.RequestServices.GetRequiredService<GatewayMetrics>().Rejected(
            tenant, tokens ? GatewayMetrics.RejectionReasons.TokensPerMinute : GatewayMetrics.RejectionReasons.RequestsPerMinute);
        await GatewayError.RateLimited(message, retryAfter > TimeSpan.Zero ? retryAfter : null).WriteAsync(context.Response);
    }
}
