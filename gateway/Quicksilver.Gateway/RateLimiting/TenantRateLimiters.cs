using System.Threading.RateLimiting;
using Quicksilver.Gateway.Tenancy;

namespace Quicksilver.Gateway.RateLimiting;

/// <summary>
/// The per-tenant limiters: <see cref="Requests"/> (a token bucket of requests per minute) and <see cref="Tokens"/>
/// (the tenant's <see cref="TokenBudget"/>), chained for <see cref="Admission"/>. Kept apart so that each can report
/// what is left of it (<see cref="RateLimitHeaders"/>).
/// </summary>
internal sealed class TenantRateLimiters : IDisposable
{
    public TenantRateLimiters(TenantTokenBudgets budgets)
    {
        Requests = PartitionedRateLimiter.Create<HttpContext, string>(RequestsPartition);
        Tokens = PartitionedRateLimiter.Create<HttpContext, string>(context => TokensPartition(context, budgets));
        // The budget first: its lease takes nothing, so a request it refuses spends no request permit (the chain asks
        // twice, AttemptAcquire then AcquireAsync, and a token bucket keeps the permits it granted).
        Admission = PartitionedRateLimiter.CreateChained(Tokens, Requests);
    }

    /// <summary>Requests per minute, per tenant that has that limit.</summary>
    public PartitionedRateLimiter<HttpContext> Requests { get; }

    /// <summary>Tokens per minute, per tenant that has that limit.</summary>
    public PartitionedRateLimiter<HttpContext> Tokens { get; }

    /// <summary>Both, as the rate limiting middleware's global limiter.</summary>
    public PartitionedRateLimiter<HttpContext> Admission { get; }

    /// <summary>
    /// How long a client refused with <paramref name="refusedWait"/> should wait before both limits admit it: the
    /// chain stops at the first limit that refuses, so when the token budget refuses, the requests bucket may be empty
    /// too, and a client that waited only the budget's time would be refused again.
    /// </summary>
    public TimeSpan WaitForBoth(HttpContext context, TimeSpan refusedWait)
    {
        // The bucket refills continuously, so a probe for no permit succeeds on any fraction of one and cannot say how
        // long a whole one takes; the statistics say whether one is there, and the bucket's rate bounds the wait.
        if (context.GetTenant() is not { RequestsPerMinute: { } limit } || Requests.GetStatistics(context) is not { CurrentAvailablePermits: < 1 })
        {
            return refusedWait;
        }

        TokenBucketRateLimiterOptions bucket = RequestsBucket(limit);
        TimeSpan requestsWait = bucket.ReplenishmentPeriod / bucket.TokensPerPeriod;
        return requestsWait > refusedWait ? requestsWait : refusedWait;
    }

    /// <summary>
    /// A bucket of one minute's requests that refills continuously: <c>k</c> requests every <c>k · 60 s / rpm</c>,
    /// with <c>k</c> the smallest count that keeps the refill period at one second or more (exact for any rpm).
    /// </summary>
    public static TokenBucketRateLimiterOptions RequestsBucket(int requestsPerMinute)
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

    public void Dispose()
    {
        Admission.Dispose();
        Requests.Dispose();
        Tokens.Dispose();
    }

    private static RateLimitPartition<string> RequestsPartition(HttpContext context) =>
        context.GetTenant() is { RequestsPerMinute: { } limit } tenant
            ? RateLimitPartition.GetTokenBucketLimiter($"{tenant.Id}/{limit}", _ => RequestsBucket(limit))
            : RateLimitPartition.GetNoLimiter(string.Empty);

    private static RateLimitPartition<string> TokensPartition(HttpContext context, TenantTokenBudgets budgets) =>
        context.GetTenant() is { } tenant && budgets.For(tenant) is { } budget
            ? RateLimitPartition.Get($"{tenant.Id}/{budget.TokensPerMinute}", _ => budget)
            : RateLimitPartition.GetNoLimiter(string.Empty);
}
