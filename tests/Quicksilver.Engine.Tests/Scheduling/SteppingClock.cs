namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>
/// A clock whose timestamps move one <see cref="Tick"/> at every read while its wall-clock time stands still: the
/// step loop reads a timestamp before and after each step, so every step measures exactly one tick, and no queued
/// request ever reaches the queue timeout. Only the step loop reads timestamps, so <see cref="Hold"/> can stop the
/// loop at its next read while requests are submitted, and <see cref="Reads"/> counts its steps.
/// </summary>
internal sealed class SteppingClock(TimeSpan tick) : TimeProvider, IDisposable
{
    private readonly ManualResetEventSlim _open = new(initialState: true);
    private long _ticks;
    private int _held;

    public TimeSpan Tick { get; } = tick;

    /// <summary>Timestamps read so far: two per step.</summary>
    public long Reads => Interlocked.Read(ref _ticks) / Tick.Ticks;

    /// <summary>Whether a reader is stopped at <see cref="Hold"/>.</summary>
    public bool IsHolding => Volatile.Read(ref _held) > 0;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch;

    public override long GetTimestamp()
    {
        if (!_open.IsSet)
        {
            Interlocked.Increment(ref _held);
            _open.Wait();
            Interlocked.Decrement(ref _held);
        }

        return Interlocked.Add(ref _ticks, Tick.Ticks);
    }

    /// <summary>The next timestamp read blocks until <see cref="Release"/>.</summary>
    public void Hold() => _open.Reset();

    public void Release() => _open.Set();

    public void Dispose()
    {
        _open.Set();
        _open.Dispose();
    }
}
