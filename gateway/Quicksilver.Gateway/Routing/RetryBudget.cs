using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// Caps retries at <see cref="RoutingOptions.RetryBudgetRatio"/> of requests plus
/// <see cref="RoutingOptions.RetryBudgetMinPerSecond"/> (a token bucket: each request deposits the ratio, each retry
/// withdraws one, and the floor refills with time). When every pod is failing, retries stop multiplying the load.
/// </summary>
internal sealed class RetryBudget
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly double _ratio;
    private readonly double _floorPerSecond;
    private readonly double _capacity;
    private double _balance;
    private long _refilledAt;

    public RetryBudget(IOptions<RoutingOptions> options, TimeProvider time)
    {
        RoutingOptions routing = options.Value;
        _time = time;
        _ratio = routing.RetryBudgetRatio;
        _floorPerSecond = routing.RetryBudgetMinPerSecond;
        _capacity = Math.Max(10, _floorPerSecond * 10);
        _balance = _capacity;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>A new request arrived.</summary>
    public void Deposit()
    {
        lock (_gate)
        {
            Refill();
            _balance = Math.Min(_capacity, _balance + _ratio);
        }
    }

    /// <summary>Takes one retry from the budget; false when it is spent.</summary>
    public bool TryWithdraw()
    {
        lock (_gate)
        {
            Refill();
            // A tolerance for the deposits' rounding: five deposits of 0.2 make one retry.
            if (_balance < 1 - 1e-9)
            {
                return false;
            }

            _balance--;
            return true;
        }
    }

    private void Refill()
    {
        long now = _time.GetTimestamp();
        _balance = Math.Min(_capacity, _balance + (_time.GetElapsedTime(_refilledAt, now).TotalSeconds * _floorPerSecond));
        _refilledAt = now;
    }
}
