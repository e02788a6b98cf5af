namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>
/// A clock whose timestamps move one <see cref="Tick"/> at every read while its wall-clock time stands still: the
/// step loop reads a timestamp before and after each step, so every step measures exactly one tick, and no queued
/// request ever reaches the queue timeout.
/// </summary>
internal sealed class SteppingClock(TimeSpan tick) : TimeProvider
{
    private long _ticks;

    public TimeSpan Tick { get; } = tick;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch;

    public override long GetTimestamp() => Interlocked.Add(ref _ticks, Tick.Ticks);
}
