namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>A clock the test moves by hand: wall-clock time and timestamps move together.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks = DateTimeOffset.UnixEpoch.UtcTicks;
    private Exception? _fault;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>When set, the next timestamp read throws it (once): only the step loop reads timestamps, so it stops the loop.</summary>
    public Exception? TimestampFault
    {
        get => Volatile.Read(ref _fault);
        set => Volatile.Write(ref _fault, value);
    }

    public override long GetTimestamp() =>
        Interlocked.Exchange(ref _fault, null) is { } fault ? throw fault : Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
