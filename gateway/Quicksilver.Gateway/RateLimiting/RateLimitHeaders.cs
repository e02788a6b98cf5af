using System.Globalization;
using Quicksilver.Gateway.Tenancy;

namespace Quicksilver.Gateway.RateLimiting;

/// <summary>
/// OpenAI's rate-limit headers on every answer to a tenant with limits that was routed to a model's pods, as they
/// stand when the answer starts (after any retry or error page has cleared the response):
/// <c>x-ratelimit-limit-requests</c>, <c>-remaining-requests</c> and
/// <c>-reset-requests</c> (the time until the bucket is full again) for requests per minute, and the same three
/// <c>-tokens</c> headers for tokens per minute (remaining: 0 while the budget is overdrawn). Durations are written as
/// OpenAI writes them: <c>20ms</c>, <c>1.5s</c>, <c>6m0s</c>.
/// </summary>
internal static class RateLimitHeaders
{
    public static void WriteWhenTheAnswerStarts(HttpContext context)
    {
        if (context.GetTenant() is { } tenant)
        {
            context.Response.OnStarting(() =>
            {
                Write(context, tenant);
                return Task.CompletedTask;
            });
        }
    }

    private static void Write(HttpContext context, Tenant tenant)
    {
        IHeaderDictionary headers = context.Response.Headers;
        var limiters = context.RequestServices.GetRequiredService<TenantRateLimiters>();
        if (tenant.RequestsPerMinute is { } requestsPerMinute && limiters.Requests.GetStatistics(context) is { } requests)
        {
            long remaining = requests.CurrentAvailablePermits;
            headers["x-ratelimit-limit-requests"] = Number(requestsPerMinute);
            headers["x-ratelimit-remaining-requests"] = Number(remaining);
            headers["x-ratelimit-reset-requests"] = Duration(TimeSpan.FromMinutes(1) * (requestsPerMinute - remaining) / requestsPerMinute);
        }

        // Find, not For: the tenant is the request's copy, and a tenants file reloaded since must not be resized back.
        if (tenant.TokensPerMinute is not null && context.RequestServices.GetRequiredService<TenantTokenBudgets>().Find(tenant.Id) is { } budget)
        {
            double balance = budget.Balance;
            headers["x-ratelimit-limit-tokens"] = Number(budget.TokensPerMinute);
            headers["x-ratelimit-remaining-tokens"] = Number((long)Math.Max(0, Math.Floor(balance)));
            headers["x-ratelimit-reset-tokens"] = Duration(TimeSpan.FromMinutes(1) * ((budget.TokensPerMinute - balance) / budget.TokensPerMinute));
        }
    }

    /// <summary>Go's duration format, as OpenAI's headers use it: milliseconds under a second, else [minutes m] seconds s.</summary>
    internal static string Duration(TimeSpan duration)
    {
        long milliseconds = (long)Math.Ceiling(Math.Max(0, duration.TotalMilliseconds));
        if (milliseconds < 1000)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{milliseconds}ms");
        }

        long minutes = milliseconds / 60_000;
        double seconds = milliseconds % 60_000 / 1000.0;
        return minutes == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds:0.###}s")
            : string.Create(CultureInfo.InvariantCulture, $"{minutes}m{seconds:0.###}s");
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
