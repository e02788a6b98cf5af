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

    /// <summary>How many requests are waiting.</summary>
    public int Count => Volatile.Read(ref _count);

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
    /// Counts <paramref name="sequence"/> as waiting; returns its place in the queue (1 when no one was waiting) and the
    /// bounds of those that were waiting before it.
    /// </summary>
    public (int Position, StepBounds Ahead) Join(ActiveSequence sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        int fewest = sequence.FewestStepsLeft;
        lock (_lock)
        {
            StepBounds ahead = Current();
            _mostSteps += sequence.Denoiser.MostStepsLeft;
            _fewestSum += fewest;
            _canvasTokens += sequence.CanvasLength;
            _fewest[fewest] = _fewest.GetValueOrDefault(fewest) + 1;
            Volatile.Write(ref _count, _count + 1);
            return (_count, ahead);
        }
    }

    /// <summary>
    /// Stops counting <paramref name="sequence"/>, which <see cref="Join"/> counted and which has taken no step since: it
    /// was refused, it joined the batch, or it ended while it waited.
    /// </summary>
    public void Leave(ActiveSequence sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        int fewest = sequence.FewestStepsLeft;
        lock (_lock)
        {
            _mostSteps -= sequence.Denoiser.MostStepsLeft;
            _fewestSum -= fewest;
            _canvasTokens -= sequence.CanvasLength;
            Volatile.Write(ref _count, _count - 1);
            int left = _fewest[fewest] - 1;
            if (left == 0)
            {
                _fewest.Remove(fewest);
            }
            else
            {
                _fewest[fewest] = left;
            }
        }
    }

    private StepBounds Current() => _fewest.Count == 0
        ? StepBounds.None
        : new StepBounds(_mostSteps, _fewestSum, _fewest.Keys[0], _fewest.Keys[^1], _count, _canvasTokens);
}
