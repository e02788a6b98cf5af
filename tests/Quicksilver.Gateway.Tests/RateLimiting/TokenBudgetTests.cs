using System.Threading.RateLimiting;
using Quicksilver.Gateway.RateLimiting;
using Quicksilver.Gateway.Tenancy;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.RateLimiting;

public sealed class TokenBudgetTests
{
    [Fact]
    public void Budget_AdmitsUntilSpent_ThenRefusesWithRetryAfterUntilRefilled()
    {
        var time = new ManualTime();
        using var budget = new TokenBudget(tokensPerMinute: 600, time);

        using (RateLimitLease first = budget.AttemptAcquire())
        {
            Assert.True(first.IsAcquired);
        }

        budget.Debit(630);
        Assert.Equal(-30, budget.Balance, precision: 9);
        using (RateLimitLease refused = budget.AttemptAcquire())
        {
            Assert.False(refused.IsAcquired);
            Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter));
            Assert.Equal(3.1, retryAfter.TotalSeconds, precision: 6); // (30 overdrawn + 1) / 10 tokens per second
            Assert.True(refused.TryGetMetadata(MetadataName.ReasonPhrase, out string? reason));
            Assert.Equal("Rate limit reached for tokens per minute (600).", reason);
        }

        time.Advance(TimeSpan.FromSeconds(3.2));
        using RateLimitLease again = budget.AttemptAcquire();
        Assert.True(again.IsAcquired);
    }

    [Fact]
    public void TenantBudgets_LimitChanged_KeepTheDebtAndTakeOldAnswersDebits()
    {
        var time = new ManualTime();
        var budgets = new TenantTokenBudgets(time);
        var before = new Tenant("acme", null, null, TokensPerMinute: 30);
        var after = before with { TokensPerMinute = 60 };

        TokenBudget admitted = budgets.For(before)!;
        budgets.Debit(before, 100);
        TokenBudget resized = budgets.For(after)!;
        budgets.Debit(before, 10); // an answer admitted under the old limit ends after the change

        Assert.Same(admitted, resized);
        Assert.Equal(60, resized.TokensPerMinute);
        Assert.Equal(-80, resized.Balance, precision: 9);
        time.Advance(TimeSpan.FromSeconds(10)); // the new rate refills: 1 token per second
        Assert.Equal(-70, resized.Balance, precision: 9);
        Assert.Null(budgets.For(after with { TokensPerMinute = null }));
    }

    [Fact]
    public void Budget_RefillsToOneMinuteOfTokensAtMost()
    {
        var time = new ManualTime();
        using var budget = new TokenBudget(tokensPerMinute: 120, time);
        budget.Debit(100);
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(120, budget.Balance, precision: 9);
    }

    [Theory]
    [InlineData(6, 1, 10.0)]
    [InlineData(60, 1, 1.0)]
    [InlineData(90, 2, 4.0 / 3)]
    [InlineData(600, 10, 1.0)]
    public void RequestsBucket_RefillsExactlyTheRatePerMinute(int requestsPerMinute, int perPeriod, double periodSeconds)
    {
        TokenBucketRateLimiterOptions bucket = TenantRateLimiters.RequestsBucket(requestsPerMinute);
        Assert.Equal(requestsPerMinute, bucket.TokenLimit);
        Assert.Equal(perPeriod, bucket.TokensPerPeriod);
        // Within TimeSpan's resolution (100 ns).
        Assert.Equal(periodSeconds, bucket.ReplenishmentPeriod.TotalSeconds, precision: 6);
        Assert.Equal(requestsPerMinute, bucket.TokensPerPeriod * 60 / bucket.ReplenishmentPeriod.TotalSeconds, precision: 4);
    }
}
