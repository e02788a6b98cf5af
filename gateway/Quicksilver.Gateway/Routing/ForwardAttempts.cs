namespace Quicksilver.Gateway.Routing;

/// <summary>
/// The tries of one request (an HttpContext feature): which try this is, and whether a retry on another pod has been
/// claimed. A retry needs a try left, a pod not yet tried, and the <see cref="RetryBudget"/>'s consent.
/// </summary>
internal sealed class ForwardAttempts(int maxAttempts, RetryBudget budget)
{
    private int _untried;

    /// <summary>The current try, from 1.</summary>
    public int Attempt { get; private set; }

    /// <summary>Whether the current try's failure will be retried on another pod.</summary>
    public bool RetryClaimed { get; private set; }

    /// <summary>Starts a try; <paramref name="untriedAfterThis"/> pods remain for later ones.</summary>
    public void Begin(int untriedAfterThis)
    {
        Attempt++;
        _untried = untriedAfterThis;
        RetryClaimed = false;
    }

    /// <summary>Claims a retry for the current try's failure; false when none is possible.</summary>
    public bool TryClaimRetry()
    {
        if (!RetryClaimed && Attempt < maxAttempts && _untried > 0 && budget.TryWithdraw())
        {
            RetryClaimed = true;
        }

        return RetryClaimed;
    }
}
