namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// The step bounds of the requests waiting for a place (<see cref="StepBounds"/>), kept as they join and leave the
/// queue, so that a new request learns those of the requests ahead of it. Thread-safe.
/// </summary>
internal sealed class WaitingWork
{
    private readonly Lock _lock = new();
    private readonly SortedList<int, int> _fewest = [];
    private long _mostSteps;
    private long _fewestSum;

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

    /// <summary>Counts <paramref name="sequence"/> as waiting; returns the bounds of those that were waiting before it.</summary>
    public StepBounds Join(ActiveSequence sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        int fewest = sequence.FewestStepsLeft;
        lock (_lock)
        {
            StepBounds ahead = Current();
            _mostSteps += sequence.Denoiser.MaxSteps;
            _fewestSum += fewest;
            _fewest[fewest] = _fewest.GetValueOrDefault(fewest) + 1;
            return ahead;
        }
    }

    /// <summary>Stops counting <paramref name="sequence"/>, which <see cref="Join"/> counted and which has taken no step since.</summary>
    public void Leave(ActiveSequence sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        int fewest = sequence.FewestStepsLeft;
        lock (_lock)
        {
            _mostSteps -= sequence.Denoiser.MaxSteps;
            _fewestSum -= fewest;
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
        : new StepBounds(_mostSteps, _fewestSum, _fewest.Keys[0], _fewest.Keys[^1]);
}
