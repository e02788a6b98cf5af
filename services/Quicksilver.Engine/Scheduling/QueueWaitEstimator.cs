namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// How long a new request is expected to wait for a place in the batch: the basis of admission control
/// (<see cref="EngineOptions.MaxExpectedQueueWait"/>). The step loop feeds it the wall time, batch size and canvas
/// tokens of every saturated step (one run with the batch full or while requests waited for a place) and the steps
/// each sequence spends in the batch: the steps its plan allows as it joins, until sequences have left and the steps
/// they actually took are known. All are exponentially weighted moving averages. A step's time is learnt as a line over the canvas
/// tokens it computes (<see cref="StepTimeLine"/>): a single time per step kept the pace of the canvases it was learnt
/// on, and after short canvases requests behind long ones were admitted and timed out in the queue (a black-box pass:
/// learnt on 11-token canvases, 12 of 16 requests with 131-token canvases waited into the 503). The engine adds what it
/// knows exactly: the most steps the running sequences have left and the waiting ones can take, which bounds the wait
/// however stale the averages are.
/// </summary>
/// <remarks>
/// A request behind <c>ahead</c> waiting ones, with <c>running</c> sequences in a batch of at most <c>capacity</c>,
/// gets a place once <c>ahead + 1 − (capacity − running)</c> sequences have left; when that is more than none, those
/// ahead fill the batch. A batch of <c>b</c> sequences loses on average <c>b / steps per sequence</c> of them per step,
/// so the wait is <c>departures needed × steps per sequence / b × step time</c>, with <c>b</c> the batch size actually
/// stepped: a batch that <see cref="EngineOptions.MaxTokensPerStep"/> holds below <c>capacity</c> drains slower than a
/// full one. Only saturated steps count: the wait matters only when the batch is full, and the steps of a small batch
/// (a warming engine's first ones take seconds for three sequences) would make a full batch look many times slower
/// than it is. Until a saturated step has been seen there is no estimate, and the engine bounds its queue instead
/// (<see cref="ColdQueueAdmits"/>): an engine that admitted everything while cold let hundreds of requests in during
/// its first seconds of overload, which then timed out in the queue.
/// <para>
/// The averages lag a change of the request mix: after a burst of long answers they expect every sequence to hold its
/// place that long, and while they refuse the short requests that would correct them, nothing corrects them. So the
/// estimate is never more than the bound the plans give: until the request gets its place, every place is taken, so
/// <c>b</c> sequences step at once and the place comes within <c>steps allowed / b</c> steps, where
/// <c>steps allowed</c> is the most steps the running sequences have left plus the most the waiting ones can take
/// (<see cref="Decoding.DenoisingSequence.MaxSteps"/>; an end token or a stop sequence ends a sequence sooner). It
/// assumes batches of <c>b</c>: one that <see cref="EngineOptions.MaxTokensPerStep"/> or the K/V cache budget keeps
/// smaller for a while drains slower. The averages lag the other way too: after a run of short answers they expect a
/// long one ahead to leave as soon, and the request behind it would be admitted and time out in the queue. So the
/// engine also gives the fewest steps before a place frees in the batch the running and waiting ones fill
/// (<see cref="StepBounds.FewestBeforeAPlace"/>), and the estimate is never less. The queue timeout stays the backstop.
/// Thread-safe: fed by the step loop, read by the requests being admitted.
/// </para>
/// </remarks>
internal sealed class QueueWaitEstimator
{
    /// <summary>Weight of the newest sample in each moving average (about the last ten samples count).</summary>
    public const double Smoothing = 0.1;

    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly StepTimeLine _stepTime = new();
    private double _batchSize = double.NaN;
    private double _plannedStepsPerSequence = double.NaN;
    private double _stepsPerSequence = double.NaN;

    /// <param name="capacity">The most sequences in one step's batch (<see cref="EngineOptions.MaxActiveSequences"/>).</param>
    public QueueWaitEstimator(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>
    /// A step of <paramref name="batchSize"/> sequences, whose canvases hold <paramref name="canvasTokens"/> tokens in
    /// all, took <paramref name="duration"/> with the batch full or while requests waited for a place. Steps of a batch
    /// with places free and nobody waiting are not recorded.
    /// </summary>
    public void RecordSaturatedStep(TimeSpan duration, int batchSize, long canvasTokens)
    {
        lock (_lock)
        {
            _stepTime.Add(canvasTokens, duration.TotalSeconds);
            _batchSize = Average(_batchSize, Math.Clamp(batchSize, 1, _capacity));
        }
    }

    /// <summary>A sequence whose plan allows <paramref name="plannedSteps"/> steps joined the batch.</summary>
    public void RecordJoin(int plannedSteps)
    {
        lock (_lock)
        {
            _plannedStepsPerSequence = Average(_plannedStepsPerSequence, plannedSteps);
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
    /// Whether a cold engine (no estimate yet) takes a request that has <paramref name="ahead"/> requests waiting
    /// before it while <paramref name="running"/> sequences are in the batch: yes while the request would get a place
    /// once the whole current batch has left, i.e. the queue holds at most one batch beyond the free places, and never
    /// fewer than <see cref="MinColdQueue"/> (a batch of one or two sequences would otherwise refuse a small burst).
    /// </summary>
    public bool ColdQueueAdmits(int ahead, int running) => DeparturesNeeded(ahead, running) <= ColdQueueLength;

    /// <summary>The fewest requests a cold engine queues beyond its free places.</summary>
    public const int MinColdQueue = 16;

    /// <summary>How many requests a cold engine queues beyond its free places.</summary>
    public int ColdQueueLength => Math.Max(_capacity, MinColdQueue);

    /// <summary>
    /// The expected wait of a request that has <paramref name="ahead"/> requests waiting before it while
    /// <paramref name="running"/> sequences are in the batch, the batch's steps computing canvases of
    /// <paramref name="canvasPerSequence"/> tokens on average (those of the running and waiting sequences); at most the
    /// time of <paramref name="stepsAllowed"/> (the most steps the running sequences have left plus the most the waiting
    /// ones ahead of it can take; unbounded when not known) over the batch and at least that of
    /// <paramref name="stepsAtLeast"/> (the fewest steps before a place frees); null until a saturated step and the
    /// steps of a sequence have been seen (then <see cref="ColdQueueAdmits"/> decides).
    /// </summary>
    public TimeSpan? Estimate(int ahead, int running, double canvasPerSequence, long stepsAllowed = long.MaxValue, int stepsAtLeast = 0)
    {
        double stepSeconds;
        double stepsPerSequence;
        double batchSize;
        lock (_lock)
        {
            batchSize = _batchSize;
            stepSeconds = _stepTime.IsKnown ? _stepTime.Seconds(canvasPerSequence * batchSize) : double.NaN;
            stepsPerSequence = double.IsNaN(_stepsPerSequence) ? _plannedStepsPerSequence : _stepsPerSequence;
        }

        int departures = DeparturesNeeded(ahead, running);
        if (departures <= 0)
        {
            return TimeSpan.Zero;
        }

        if (double.IsNaN(stepSeconds) || double.IsNaN(stepsPerSequence))
        {
            return null;
        }

        double steps = Math.Min(Math.Max(departures * stepsPerSequence / batchSize, stepsAtLeast), stepsAllowed / batchSize);
        return TimeSpan.FromSeconds(steps * stepSeconds);
    }

    private int DeparturesNeeded(int ahead, int running) => ahead + 1 - Math.Max(0, _capacity - running);

    /// <summary>An exponentially weighted moving average after <paramref name="sample"/>: the sample itself when there was none.</summary>
    internal static double Average(double average, double sample, double smoothing = Smoothing) =>
        double.IsNaN(average) ? sample : average + (smoothing * (sample - average));
}
