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

    [Fact]
    public async Task RefusedForTokens_WithTheRequestsBucketEmptyToo_WaitsForTheLongerOfTheTwo()
    {
        var budgets = new TenantTokenBudgets(new ManualTime());
        using var limiters = new TenantRateLimiters(budgets);
        var context = new DefaultHttpContext();
        var tenant = new Tenant("both", Models: null, RequestsPerMinute: 5, TokensPerMinute: 6000);
        context.Features.Set(tenant);
        for (int i = 0; i < 5; i++)
        {
            using RateLimitLease admitted = limiters.Admission.AttemptAcquire(context);
            Assert.True(admitted.IsAcquired);
        }

        budgets.For(tenant)!.Debit(6100);

        using RateLimitLease refused = await limiters.Admission.AcquireAsync(context);
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.ReasonPhrase, out string? _));
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan budgetWait));
        Assert.True(budgetWait < TimeSpan.FromSeconds(12), $"the budget alone waits {budgetWait}");

        // One request permit comes back every 60 s / 5.
        Assert.Equal(TimeSpan.FromSeconds(12), limiters.WaitForBoth(context, budgetWait));
    }

    [Fact]
    public void WaitForBoth_WithRequestPermitsLeft_IsTheRefusedWait()
    {
        using var limiters = new TenantRateLimiters(new TenantTokenBudgets(new ManualTime()));
        var context = new DefaultHttpContext();
        context.Features.Set(new Tenant("both", Models: null, RequestsPerMinute: 5, TokensPerMinute: 30));

        Assert.Equal(TimeSpan.FromSeconds(3), limiters.WaitForBoth(context, TimeSpan.FromSeconds(3)));
        Assert.Equal(5, limiters.Requests.GetStatistics(context)!.CurrentAvailablePermits);
    }
}
