namespace Quicksilver.Engine.Metering;

/// <summary>
/// Splits the engine's wall time, from its construction on, into idle stretches and step charges with no gap and no
/// overlap, so attributed plus idle time is the engine's wall time exactly. Each charge or idle stretch starts where the
/// last one ended: the loop's bookkeeping between steps (admission, sending updates) goes to the next step, or to idle
/// when nothing runs next. The ledger starts idle.
/// </summary>
internal sealed class WallTimeLedger
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private long _accountedUntil;
    private TimeSpan _idleEnded;
    private bool _idle = true;

    public WallTimeLedger(TimeProvider time)
    {
        _time = time;
        _accountedUntil = time.GetTimestamp();
    }

    /// <summary>Idle time so far, the stretch under way included, so a long one shows while it lasts.</summary>
    public TimeSpan Idle
    {
        get
        {
            lock (_lock)
            {
                return _idle ? _idleEnded + _time.GetElapsedTime(_accountedUntil) : _idleEnded;
            }
        }
    }

    /// <summary>The loop has nothing to run: idle since the last charge. A no-op while already idle.</summary>
    public void BeginIdle()
    {
        lock (_lock)
        {
            _idle = true;
        }
    }

    /// <summary>The loop is about to run a step: ends the idle stretch under way, if any (reading the clock only then).</summary>
    public void EndIdle()
    {
        lock (_lock)
        {
            if (_idle)
            {
                EndIdleLocked(_time.GetTimestamp());
            }
        }
    }

    /// <summary>
    /// The time from the last charge or idle stretch to <paramref name="stepEnded"/> (a timestamp of the ledger's
    /// clock, the one the step measured its own end with), now accounted to the step that just ran.
    /// </summary>
    public TimeSpan ChargeStep(long stepEnded)
    {
        lock (_lock)
        {
            EndIdleLocked(stepEnded);
            TimeSpan charged = _time.GetElapsedTime(_accountedUntil, stepEnded);
            _accountedUntil = stepEnded;
            return charged;
        }
    }

    private void EndIdleLocked(long now)
    {
        if (_idle)
        {
            _idleEnded += _time.GetElapsedTime(_accountedUntil, now);
            _accountedUntil = now;
            _idle = false;
        }
    }
}
