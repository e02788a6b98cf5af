namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// The requests waiting for a place: how many, and their step bounds (<see cref="StepBounds"/>), kept as they join and
/// leave the queue, so that a new request learns its position and the bounds of the requests ahead of it. Thread-safe;
/// <see cref="Count"/> reads without the lock, for the load signal.
/// </summary>
internal sealed class WaitingWork
{
    private readonly Lock _lock = new();
    private readonly SortedList<int, int> _fewest = [];
    private long _mostSteps;
    private long _fewestSum;
    private long _canvasTokens;
    private int _count;
    private int _published;

    /// <summary>How many requests are waiting.</summary>
    public int Count => Volatile.Read(ref _published);

    /// <summary>The bounds of every waiting request: none once each that joined has left.</summary>
    public StepBounds Bounds
    {
        get
        {
            lock (_lock)
            {
                return Current();
            }
        }
    }

    /// <summary>
    /// Counts every one of <paramref name="sequences"/> (one request's) as waiting unless <paramref name="judge"/>, given
    /// the place in the queue of the last of them (1 when no one was waiting) and the bounds of all those ahead of it,
    /// refuses them: then none is counted, and <see cref="Count"/> never showed them (a concurrent request must not be
    /// refused for sequences that are being refused). Returns the judge's refusal, or null when they joined.
    /// </summary>
    public EngineBusyException? JoinAll(ActiveSequence[] sequences, Func<int, StepBounds, EngineBusyException?> judge)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(judge);
        lock (_lock)
        {
            foreach (ActiveSequence sequence in sequences.AsSpan(..^1))
            {
                Add(sequence, +1);
            }

            StepBounds ahead = Current();
            Add(sequences[^1], +1);
            EngineBusyException? refusal = judge(_count, ahead);
            if (refusal is not null)
            {
                foreach (ActiveSequence sequence in sequences)
                {
                    Add(sequence, -1);
                }
            }

            Volatile.Write(ref _published, _count);
            return refusal;
        }
    }

    /// <summary>
    /// Stops counting <paramref name="sequence"/>, which <see cref="JoinAll"/> counted and which has taken no step since:
    /// it joined the batch, it ended while it waited, or the loop stopped before it was handed over.
    /// </summary>
    public void Leave(ActiveSequence sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        lock (_lock)
        {
            Add(sequence, -1);
            Volatile.Write(ref _published, _count);
        }
    }

    /// <summary>Counts <paramref name="sequence"/> in (<paramref name="sign"/> +1) or out (-1); under the lock.</summary>
    private void Add(ActiveSequence sequence, int sign)
    {
        int fewest = sequence.FewestStepsLeft;
        _mostSteps += sign * sequence.Denoiser.MostStepsLeft;
        _fewestSum += sign * fewest;
        _canvasTokens += sign * sequence.CanvasLength;
        _count += sign;
        int left = _fewest.GetValueOrDefault(fewest) + sign;
        if (left == 0)
        {
            _fewest.Remove(fewest);
        }
        else
        {
            _fewest[fewest] = left;
        }
    }

    private StepBounds Current() => _fewest.Count == 0
        ? StepBounds.None
        : new StepBounds(_mostSteps, _fewestSum, _fewest.Keys[0], _fewest.Keys[^1], _count, _canvasTokens);
}
