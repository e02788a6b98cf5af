namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>A clock the test moves by hand: wall-clock time and timestamps move together.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks = DateTimeOffset.UnixEpoch.UtcTicks;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _fault;
    private int _holdNext;
    private int _holding;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>When set, the next timestamp read throws it (once): only the step loop reads timestamps, so it stops the loop.</summary>
    public Exception? TimestampFault
    {
        get => Volatile.Read(ref _fault);
        set => Volatile.Write(ref _fault, value);
    }

    public override long GetTimestamp()
    {
        if (Interlocked.Exchange(ref _fault, null) is { } fault)
        {
            throw fault;
        }

        if (Interlocked.Exchange(ref _holdNext, 0) == 1)
        {
            Volatile.Write(ref _holding, 1);
            _released.Task.Wait();
            Volatile.Write(ref _holding, 0);
        }

        return Interlocked.Read(ref _ticks);
    }

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    /// <summary>The next timestamp read (the step loop's, at a step's start) waits until <see cref="ReleaseHeldRead"/>: a hung step.</summary>
    public void HoldNextRead() => Volatile.Write(ref _holdNext, 1);

    /// <summary>Whether a read is waiting at <see cref="HoldNextRead"/>.</summary>
    public bool IsHolding => Volatile.Read(ref _holding) == 1;

    public void ReleaseHeldRead() => _released.TrySetResult();
}
