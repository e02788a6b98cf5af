using System.Threading.RateLimiting;
using Quicksilver.Gateway.RateLimiting;
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
        TokenBucketRateLimiterOptions bucket = TenantRateLimiting.RequestsBucket(requestsPerMinute);
        Assert.Equal(requestsPerMinute, bucket.TokenLimit);
        Assert.Equal(perPeriod, bucket.TokensPerPeriod);
        // Within TimeSpan's resolution (100 ns).
        Assert.Equal(periodSeconds, bucket.ReplenishmentPeriod.TotalSeconds, precision: 6);
        Assert.Equal(requestsPerMinute, bucket.TokensPerPeriod * 60 / bucket.ReplenishmentPeriod.TotalSeconds, precision: 4);
    }
}
