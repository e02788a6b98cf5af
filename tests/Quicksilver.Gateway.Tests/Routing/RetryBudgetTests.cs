using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.Routing;

public sealed class RetryBudgetTests
{
    [Fact]
    public void Budget_AllowsRatioOfRequestsPlusFloor_ThenRefuses()
    {
        var time = new ManualTime();
        var budget = new RetryBudget(Microsoft.Extensions.Options.Options.Create(new RoutingOptions { RetryBudgetRatio = 0.2, RetryBudgetMinPerSecond = 1 }), time);

        // Starts with ten seconds of the floor (at least 10).
        Assert.Equal(10, Drain(budget));
        for (int i = 0; i < 50; i++)
        {
            budget.Deposit();
        }

        Assert.Equal(10, Drain(budget)); // 50 requests × 20 %
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(3, Drain(budget)); // the floor: one per second
    }

    [Fact]
    public void Attempts_ClaimARetryOnlyWithATryAPodAndBudgetLeft()
    {
        var budget = new RetryBudget(Microsoft.Extensions.Options.Options.Create(new RoutingOptions()), new ManualTime());
        var attempts = new ForwardAttempts(maxAttempts: 3, budget);

        attempts.Begin(untriedAfterThis: 0);
        Assert.False(attempts.TryClaimRetry()); // no other pod
        attempts.Begin(untriedAfterThis: 2);
        Assert.True(attempts.TryClaimRetry());
        Assert.True(attempts.RetryClaimed);
        attempts.Begin(untriedAfterThis: 1);
        Assert.False(attempts.RetryClaimed);
        Assert.False(attempts.TryClaimRetry()); // this is the third and last try
    }

    [Fact]
    public void Attempts_AnAnswerAndATakeBackRacing_OnlyTheFirstCounts()
    {
        var attempts = new ForwardAttempts(maxAttempts: 3, new RetryBudget(Microsoft.Extensions.Options.Options.Create(new RoutingOptions()), new ManualTime()));

        attempts.Begin(untriedAfterThis: 2);
        Assert.True(attempts.BeginAnswer());
        Task cut = attempts.AnswerCut!;
        Assert.Equal(TakeBackOutcome.AnswerCut, attempts.TakeBack(attempt: 1)); // its answer began: it is ended, not retried
        Assert.True(cut.IsCompletedSuccessfully);
        Assert.Equal(TakeBackOutcome.None, attempts.TakeBack(attempt: 1)); // once
        Assert.False(attempts.PodHung);

        attempts.Begin(untriedAfterThis: 1);
        Assert.Null(attempts.AnswerCut);
        Assert.Equal(TakeBackOutcome.None, attempts.TakeBack(attempt: 1)); // an earlier try's: the request is on its second
        Assert.Equal(TakeBackOutcome.TakenBack, attempts.TakeBack(attempt: 2));
        Assert.Equal(TakeBackOutcome.None, attempts.TakeBack(attempt: 2)); // once
        Assert.True(attempts.PodHung);
        Assert.False(attempts.BeginAnswer()); // an answer that comes after the take-back is not relayed

        attempts.Begin(untriedAfterThis: 0);
        Assert.False(attempts.PodHung);
        Assert.True(attempts.BeginAnswer());
        Assert.False(attempts.AnswerCut!.IsCompleted);
    }

    private static int Drain(RetryBudget budget)
    {
        int granted = 0;
        while (budget.TryWithdraw())
        {
            granted++;
        }

        return granted;
    }
}
