using System.Threading.RateLimiting;

namespace Quicksilver.Gateway.RateLimiting;

/// <summary>
/// A tenant's tokens per minute. A request's token count is only known when its answer ends, so admission asks only
/// that the budget is not spent (balance above zero) and the answer's usage is <see cref="Debit">debited</see>
/// afterwards; the balance may go below zero and then refuses requests until the refill (tokens per minute / 60 each
/// second, up to one minute's worth) brings it back. This is how OpenAI and LiteLLM enforce TPM on streamed answers.
/// </summary>
internal sealed class TokenBudget : RateLimiter
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private double _perSecond;
    private long _capacity;
    private double _balance;
    private long _refilledAt;

    public TokenBudget(long tokensPerMinute, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokensPerMinute);
        _time = time;
        _capacity = tokensPerMinute;
        _perSecond = tokensPerMinute / 60.0;
        _balance = tokensPerMinute;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>The tokens per minute this budget allows.</summary>
    public long TokensPerMinute => Interlocked.Read(ref _capacity);

    /// <summary>Tokens left now (negative when overdrawn).</summary>
    public double Balance
    {
        get
        {
            lock (_gate)
            {
                Refill();
                return _balance;
            }
        }
    }

    public override TimeSpan? IdleDuration => null;

    /// <summary>Takes the tenant's new limit, keeping what it owes (or has left, up to one minute of the new limit).</summary>
    public void Resize(long tokensPerMinute)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokensPerMinute);
        lock (_gate)
        {
            Refill();
            Interlocked.Exchange(ref _capacity, tokensPerMinute);
            _perSecond = tokensPerMinute / 60.0;
            _balance = Math.Min(_balance, tokensPerMinute);
        }
    }

    /// <summary>Takes <paramref name="tokens"/> spent by an answer.</summary>
    public void Debit(long tokens)
    {
        lock (_gate)
        {
            Refill();
            _balance -= tokens;
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            Refill();
            return new RateLimiterStatistics { CurrentAvailablePermits = (long)Math.Max(0, _balance) };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_gate)
        {
            Refill();
            if (_balance > 0)
            {
                return BudgetLease.Granted;
            }

            return BudgetLease.Refused(TimeSpan.FromSeconds((1 - _balance) / _perSecond), _capacity);
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private void Refill()
    {
        long now = _time.GetTimestamp();
        _balance = Math.Min(_capacity, _balance + (_time.GetElapsedTime(_refilledAt, now).TotalSeconds * _perSecond));
        _refilledAt = now;
    }

    private sealed class BudgetLease(bool isAcquired, TimeSpan? retryAfter, string? reason) : RateLimitLease
    {
        public static BudgetLease Granted { get; } = new(true, null, null);

        public override bool IsAcquired => isAcquired;

        public override IEnumerable<string> MetadataNames =>
            isAcquired ? [] : [MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name];

        public static BudgetLease Refused(TimeSpan retryAfter, long tokensPerMinute) =>
            new(false, retryAfter, $"Rate limit reached for tokens per minute ({tokensPerMinute}).");

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter
                : metadataName == MetadataName.ReasonPhrase.Name ? reason
                : null;
            return metadata is not null;
        }
    }
}
