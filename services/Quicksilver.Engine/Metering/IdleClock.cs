namespace Quicksilver.Engine.Metering;

/// <summary>
/// Device time during which the step loop has no sequence to run: the idle stretches so far plus the one under way,
/// so that a long idle stretch shows while it lasts rather than all at once when it ends.
/// </summary>
internal sealed class IdleClock(TimeProvider time)
{
    private readonly Lock _lock = new();
    private TimeSpan _ended;
    private long? _since;

    /// <summary>Idle time so far, the stretch under way included.</summary>
    public TimeSpan Total
    {
        get
        {
            lock (_lock)
            {
                return _since is { } since ? _ended + time.GetElapsedTime(since) : _ended;
            }
        }
    }

    /// <summary>The loop has nothing to run; a no-op while already idle.</summary>
    public void Start()
    {
        lock (_lock)
        {
            _since ??= time.GetTimestamp();
        }
    }

    /// <summary>The loop is about to run a step; a no-op while not idle.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            if (_since is { } since)
            {
                _ended += time.GetElapsedTime(since);
                _since = null;
            }
        }
    }
}
