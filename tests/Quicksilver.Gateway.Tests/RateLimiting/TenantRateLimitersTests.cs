using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Quicksilver.Gateway.RateLimiting;
using Quicksilver.Gateway.Tenancy;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.RateLimiting;

/// <summary>Admission of a tenant with both limits, asked as ASP.NET Core's rate limiting middleware asks.</summary>
public sealed class TenantRateLimitersTests
{
    [Fact]
    public async Task RefusedForTokens_SpendsNoRequestPermit()
    {
        var budgets = new TenantTokenBudgets(new ManualTime());
        using var limiters = new TenantRateLimiters(budgets);
        var context = new DefaultHttpContext();
        var tenant = new Tenant("both", Models: null, RequestsPerMinute: 5, TokensPerMinute: 30);
        context.Features.Set(tenant);
        budgets.For(tenant)!.Debit(100);

        // The middleware tries AttemptAcquire, then AcquireAsync when that fails.
        using (RateLimitLease attempt = limiters.Admission.AttemptAcquire(context))
        using (RateLimitLease acquired = await limiters.Admission.AcquireAsync(context))
        {
            Assert.False(attempt.IsAcquired);
            Assert.False(acquired.IsAcquired);
            Assert.True(acquired.TryGetMetadata(MetadataName.ReasonPhrase, out string? reason));
            Assert.Equal("Rate limit reached for tokens per minute (30).", reason);
        }

        Assert.Equal(5, limiters.Requests.GetStatistics(context)!.CurrentAvailablePermits);
    }
}
