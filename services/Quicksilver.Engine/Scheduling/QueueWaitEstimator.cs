namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// How long a new request is expected to wait for a place in the batch: the basis of admission control
/// (<see cref="EngineOptions.MaxExpectedQueueWait"/>). The step loop feeds it the wall time of every step and, as each
/// sequence leaves the batch (finished, stopped, cancelled or failed), the steps it spent there; with the batch size of
/// each step, all are kept as exponentially weighted moving averages.
/// </summary>
/// <remarks>
/// A request behind <c>ahead</c> waiting ones, with <c>running</c> sequences in a batch of at most <c>capacity</c>,
/// gets a place once <c>ahead + 1 − (capacity − running)</c> sequences have left; when that is more than none, those
/// ahead fill the batch. A batch of <c>b</c> sequences loses on average <c>b / steps per sequence</c> of them per step,
/// so the wait is <c>departures needed × steps per sequence / b × step time</c>, with <c>b</c> the average batch size
/// actually stepped: a batch that <see cref="EngineOptions.MaxTokensPerStep"/> holds below <c>capacity</c> drains
/// slower than a full one (the first overload run of the load test, which assumed <c>capacity</c>, admitted requests
/// that then timed out in the queue). The averages lag a change of the request mix, so the queue timeout stays the
/// backstop. Thread-safe: fed by the step loop, read by the requests being admitted.
/// </remarks>
internal sealed class QueueWaitEstimator
{
    /// <summary>Weight of the newest sample in each moving average (about the last ten samples count).</summary>
    public const double Smoothing = 0.1;

    private readonly int _capacity;
    private readonly Lock _lock = new();
    private double _stepSeconds = double.NaN;
    private double _stepsPerSequence = double.NaN;
    private double _batchSize = double.NaN;

    /// <param name="capacity">The most sequences in one step's batch (<see cref="EngineOptions.MaxActiveSequences"/>).</param>
    public QueueWaitEstimator(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>A step of <paramref name="batchSize"/> sequences (default: a full batch) took <paramref name="duration"/>.</summary>
    public void RecordStep(TimeSpan duration, int? batchSize = null)
    {
        lock (_lock)
        {
            _stepSeconds = Average(_stepSeconds, duration.TotalSeconds);
            _batchSize = Average(_batchSize, Math.Clamp(batchSize ?? _capacity, 1, _capacity));
        }
    }

    /// <summary>A sequence left the batch after <paramref name="steps"/> steps in it.</summary>
    public void RecordDeparture(int steps)
    {
        lock (_lock)
        {
            _stepsPerSequence = Average(_stepsPerSequence, steps);
        }
    }

    /// <summary>
    /// The expected wait of a request that has <paramref name="ahead"/> requests waiting before it while
    /// <paramref name="running"/> sequences are in the batch; null until a step and a departure have been seen
    /// (a cold engine has nothing to estimate from, and refuses nothing on this ground).
    /// </summary>
    public TimeSpan? Estimate(int ahead, int running)
    {
        double stepSeconds;
        double stepsPerSequence;
        double batchSize;
        lock (_lock)
        {
            stepSeconds = _stepSeconds;
            stepsPerSequence = _stepsPerSequence;
            batchSize = _batchSize;
        }

        if (double.IsNaN(stepSeconds) || double.IsNaN(stepsPerSequence))
        {
            return null;
        }

        int departures = ahead + 1 - Math.Max(0, _capacity - running);
        if (departures <= 0)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromSeconds(departures * stepsPerSequence / batchSize * stepSeconds);
    }

    private static double Average(double average, double sample) =>
        double.IsNaN(average) ? sample : average + (Smoothing * (sample - average));
}
