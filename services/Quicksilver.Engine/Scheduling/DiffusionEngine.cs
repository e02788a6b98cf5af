using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Metering;
using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// One step loop per model (continuous batching at step granularity): each iteration admits waiting requests up to
/// <see cref="EngineOptions.MaxActiveSequences"/> and <see cref="EngineOptions.MaxTokensPerStep"/>, drops cancelled
/// ones, runs one forward pass over every active canvas together, and commits each sequence's tokens. A sequence
/// joins at the next step and leaves as soon as it finishes, so no request waits for another to end.
/// Each step's wall time is charged to the sequences in it (<see cref="StepTimeSplit"/>); a sequence's total is
/// metered to its tenant as it leaves (<see cref="MeteringMetrics"/>), and time with nothing to run counts as idle.
/// Charges and idle stretches are chained (<see cref="WallTimeLedger"/>), so attributed plus idle time is the engine's
/// wall time exactly: the loop's bookkeeping between steps is charged to the next step.
/// A sequence decoding with block caching (<see cref="KvCacheMode"/>) gets its K/V cache when it joins the batch,
/// within <see cref="EngineOptions.MaxKvCacheBytes"/> (it waits in the queue while the caches of others fill the
/// budget), and frees it when it leaves, finished, cancelled or failed.
/// Admission control: a request is refused at once (<see cref="EngineBusyReason.QueueFull"/>) past
/// <see cref="EngineOptions.MaxQueuedRequests"/>, or (<see cref="EngineBusyReason.ExpectedWaitTooLong"/>) when the
/// requests ahead are expected (<see cref="QueueWaitEstimator"/>) to hold the batch longer than
/// <see cref="EngineOptions.MaxExpectedQueueWait"/>; one admitted but still waiting at
/// <see cref="EngineOptions.QueueTimeout"/> fails then.
/// </summary>
public sealed class DiffusionEngine : IGenerationEngine, IDisposable
{
    /// <summary>The longest <c>Retry-After</c> the engine's refusals give.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(1);

    /// <summary>The stall watch's mark while no step runs (idle loop).</summary>
    private const long NoStep = long.MinValue;
    private readonly DiffusionTransformer _model;
    private readonly EngineOptions _options;
    private static readonly IReadOnlySet<int> NoEndTokens = new HashSet<int>();
    private readonly IReadOnlySet<int> _endTokens;
    private readonly double _eps;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly WallTimeLedger _wallTime;
    private readonly KvCacheBudget _kvCaches;
    private readonly QueueWaitEstimator _queueWait;
    private readonly TimeSpan _maxExpectedQueueWait;
    private readonly Channel<ActiveSequence> _arrivals = Channel.CreateUnbounded<ActiveSequence>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private EngineBusyException? _abandoned;
    private readonly Task _loop;
    private readonly WaitingWork _waitingWork = new();
    private StepBounds _runningBounds = StepBounds.None;
    private int _disposed;
    private volatile bool _draining;
    private volatile Exception? _failure;
    private long _stepStarted = NoStep;
    private EngineLoad _load = new(0, 0, 0, false);

    /// <summary>Starts the step loop.</summary>
    /// <param name="model">The model to run.</param>
    /// <param name="options">Limits and defaults.</param>
    /// <param name="endTokens">Ids that end an answer (EOS, EoT).</param>
    /// <param name="logger">Where failures of the loop are logged.</param>
    /// <param name="timeProvider">Clock for queue timeouts, step times (and so expected queue waits) and idle time; the system clock when null.</param>
    /// <param name="metering">The price of device time; none (0 USD) when null.</param>
    /// <param name="generation">
    /// The model folder's <c>generation_config.json</c>: its <c>eps</c> is the final timestep of every plan's timestep
    /// schedule (<see cref="DiffusionPlan.Eps"/>; <see cref="GenerationDefaults.EffectiveEps"/>).
    /// </param>
    /// <param name="meterFactory">The host's meter factory, which creates <see cref="Metrics"/>' and <see cref="Metering"/>'s meters; none: process-wide meters.</param>
    public DiffusionEngine(
        DiffusionTransformer model,
        EngineOptions options,
        IReadOnlySet<int> endTokens,
        ILogger<DiffusionEngine> logger,
        TimeProvider? timeProvider = null,
        MeteringOptions? metering = null,
        GenerationDefaults? generation = null,
        IMeterFactory? meterFactory = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _endTokens = endTokens ?? throw new ArgumentNullException(nameof(endTokens));
        _eps = (generation ?? GenerationDefaults.None).EffectiveEps;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = timeProvider ?? TimeProvider.System;
        _wallTime = new WallTimeLedger(_time);
        _kvCaches = new KvCacheBudget(options.MaxKvCacheBytes);
        _queueWait = new QueueWaitEstimator(options.MaxActiveSequences);
        _maxExpectedQueueWait = options.MaxExpectedQueueWait ?? options.QueueTimeout / 2;
        string modelId = options.ModelId ?? "model";
        Metrics = new EngineMetrics(modelId, () => Load, () => _kvCaches.InUse, meterFactory);
        Metering = new MeteringMetrics(modelId, metering ?? new MeteringOptions(), () => _wallTime.Idle, meterFactory);

        // The ledger starts idle: the device is idle from now until the first step, however long the loop's thread
        // takes to start.
        _loop = Task.Factory.StartNew(RunLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <inheritdoc />
    public EngineLoad Load => Volatile.Read(ref _load) with { Waiting = _waitingWork.Count, Draining = _draining };

    /// <inheritdoc />
    public Exception? Failure => _failure ?? Stall();

    /// <summary>Bytes of K/V cache the running sequences hold now.</summary>
    public long KvCacheBytesInUse => _kvCaches.InUse;

    /// <summary>The step loop's meters.</summary>
    public EngineMetrics Metrics { get; }

    /// <summary>The billing meters: device time and its cost per tenant, and idle time.</summary>
    public MeteringMetrics Metering { get; }

    /// <inheritdoc />
    public IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> GenerateTogether(IReadOnlyList<(GenerationRequest Request, CancellationToken Cancellation)> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfZero(sequences.Count);
        ActiveSequence[] admitted = [.. sequences.Select(s => Sequence(s.Request, s.Cancellation))];
        Admit(admitted);
        return [.. admitted.Select(Updates)];
    }

    private ActiveSequence Sequence(GenerationRequest request, CancellationToken cancellationToken)
    {
        DenoisingSequence denoiser = CreateDenoiser(request);
        return new ActiveSequence(denoiser, request.Tenant, _time.GetUtcNow(), KvCacheBytesOf(denoiser), cancellationToken, request.EndsAfterBlock);
    }

    // Read to the end whatever the token (none reaches this iterator): the step loop ends the channel when it lets go
    // of the sequence (a cancelled one at the next step boundary), after the update that settles its device time.
    private static async IAsyncEnumerable<GenerationUpdate> Updates(ActiveSequence sequence)
    {
        await foreach (GenerationUpdate update in sequence.Updates.Reader.ReadAllAsync(CancellationToken.None))
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public void BeginDrain() => _draining = true;

    /// <inheritdoc />
    public void AbandonRemaining()
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        _draining = true;

        // Set before the loop is stopped: it reads the reason once it has left its last step.
        Interlocked.CompareExchange(ref _abandoned, new EngineBusyException(
            EngineBusyReason.Draining,
            TimeSpan.FromSeconds(1),
            "The server shut down before this answer finished: its drain timeout ran out. Retry the request."), null);
        _arrivals.Writer.TryComplete();
        try
        {
            _stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed since the check above: the loop has stopped already.
        }
    }

    /// <inheritdoc />
    public async Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        while (Load is { Waiting: > 0 } or { Running: > 0 })
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    /// <summary>
    /// Stops the step loop; sequences still running end with an <see cref="OperationCanceledException"/>. Safe to call
    /// more than once (the host stops the engine at shutdown, then disposes the <see cref="ServedModel"/> that owns it).
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _draining = true;

        // Arrivals close before the loop is told to stop, so none can slip in after its last look at them.
        _arrivals.Writer.TryComplete();
        _stopping.Cancel();
        _loop.Wait(TimeSpan.FromSeconds(30));
        _stopping.Dispose();
        Metrics.Dispose();
        Metering.Dispose();
    }

    private DenoisingSequence CreateDenoiser(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequestValidator.Validate(request, _model.Config);
        var blocks = DecodingBlocks.For(_model.Config, request.PromptTokens.Count, request.BlockLength, _options.DefaultBlockLength);
        var plan = DiffusionPlan.Create(blocks, request.MaxTokens, request.Steps ?? request.MaxTokens, _model.Config.Architecture, _eps);
        ulong seed = request.Seed ?? (ulong)Random.Shared.NextInt64();
        KvCacheMode kvCache = request.KvCache ?? _options.KvCache;
        var settings = new DecodingSettings(
            request.Temperature,
            seed,
            request.Remasking,
            request.Commit,
            request.CommitParameter,
            kvCache,
            request.TopP,
            request.TopK,
            request.AlgorithmTemperature,
            request.LogitBias,
            request.PresencePenalty,
            request.FrequencyPenalty,
            request.TopLogprobs,
            request.KvCacheRefresh ?? _options.KvCacheRefresh);
        return new DenoisingSequence(
            request.PromptTokens, plan, settings, _model.Config.MaskTokenId, request.IgnoreEos ? NoEndTokens : _endTokens, CacheWindowRule.Of(_model.Config), request.SuffixTokens, request.Constraint?.Start());
    }

    /// <summary>The bytes of the sequence's K/V cache (0 without block caching); refused when the limit could never hold them.</summary>
    private long KvCacheBytesOf(DenoisingSequence denoiser)
    {
        if (denoiser.KvCacheMode == KvCacheMode.None)
        {
            return 0;
        }

        int canvas = denoiser.Canvas.Length;
        long bytes = _model.KvCacheBytes(canvas);
        return _kvCaches.CanEverHold(bytes) ? bytes : throw new InvalidRequestException(
            "kv_cache",
            $"The K/V cache of this request ({bytes} bytes for its canvas of {canvas} prompt, answer and suffix tokens) exceeds this server's K/V cache limit of {_kvCaches.Limit} bytes; send kv_cache \"none\" or fewer tokens.");
    }

    /// <summary>
    /// Queues the sequences of one request, or refuses them all: the last of them must fit in the queue and is expected
    /// to wait no longer than allowed, behind the others.
    /// </summary>
    private void Admit(ActiveSequence[] sequences)
    {
        if (_failure is { } failure)
        {
            throw new EngineBusyException(EngineBusyReason.Failed, TimeSpan.FromSeconds(1), $"The engine stopped after a failure ({failure.GetType().Name}) and accepts no requests; this server is being restarted. Retry shortly.");
        }

        if (_draining)
        {
            throw new EngineBusyException(EngineBusyReason.Draining, TimeSpan.FromSeconds(1), "The server is shutting down and accepts no new requests.");
        }

        if (_waitingWork.JoinAll(sequences, (position, ahead) => Judge(position, ahead, sequences[^1].CanvasLength)) is { } refusal)
        {
            throw refusal;
        }

        for (int i = 0; i < sequences.Length; i++)
        {
            if (!_arrivals.Writer.TryWrite(sequences[i]))
            {
                // The loop has stopped: it fails the sequences it was handed; the rest never reached it.
                Refuse(sequences.AsSpan(i), new EngineBusyException(EngineBusyReason.Draining, TimeSpan.FromSeconds(1), "The engine has stopped."));
            }
        }
    }

    [DoesNotReturn]
    private void Refuse(ReadOnlySpan<ActiveSequence> sequences, EngineBusyException refusal)
    {
        foreach (ActiveSequence sequence in sequences)
        {
            _waitingWork.Leave(sequence);
        }

        throw refusal;
    }

    /// <summary>
    /// Why a request (the last sequence of one, whose canvas holds <paramref name="canvas"/> tokens) at
    /// <paramref name="position"/> in the queue, behind work whose bounds are <paramref name="ahead"/>, must be refused:
    /// the queue is full, or it is expected to wait longer than allowed; null when it may wait.
    /// </summary>
    private EngineBusyException? Judge(int position, StepBounds ahead, int canvas)
    {
        if (position > _options.MaxQueuedRequests)
        {
            return new EngineBusyException(EngineBusyReason.QueueFull, TimeSpan.FromSeconds(1), $"The server's queue is full ({_options.MaxQueuedRequests} requests waiting). Retry shortly.");
        }

        TimeSpan? expectedWait = EstimateWait(position - 1, ahead, canvas);
        if (expectedWait is null && !_queueWait.ColdQueueAdmits(ahead: position - 1, Volatile.Read(ref _runningBounds).Sequences))
        {
            return new EngineBusyException(EngineBusyReason.ExpectedWaitTooLong, TimeSpan.FromSeconds(1),
                $"The server is overloaded: it has not yet measured how fast its full batch drains, and until it has it queues no more than {_queueWait.ColdQueueLength} requests beyond its free places. Retry shortly.");
        }

        if (expectedWait is { } wait && wait > _maxExpectedQueueWait)
        {
            // The queue drains in real time: after the excess, a request would be expected to wait no longer than allowed.
            TimeSpan retryAfter = RetryAfter(wait - _maxExpectedQueueWait);
            return new EngineBusyException(EngineBusyReason.ExpectedWaitTooLong, retryAfter,
                $"The server is overloaded: this request is expected to wait {wait.TotalSeconds:0.0} s for a place in the batch, longer than the {_maxExpectedQueueWait.TotalSeconds:0.0} s allowed. Retry after {retryAfter.TotalSeconds:0} s.");
        }

        return null;
    }

    /// <summary>
    /// The expected wait of a request (whose canvas holds <paramref name="canvas"/> tokens) behind <paramref name="waiting"/>
    /// others (whose step bounds are <paramref name="ahead"/>), with the sequences running as the loop last published
    /// them (their count and bounds, read together): the averages' estimate, with steps as long as the canvases of the
    /// running and waiting sequences make them, at most what the plans allow and at least the fewest steps before a
    /// place frees for it, the requests ahead having taken the free places (a burst arrives before the loop has moved
    /// it into the batch: the averages of earlier, shorter answers admitted 96 sequences of 128 steps behind 32 others,
    /// which then timed out in the queue).
    /// </summary>
    private TimeSpan? EstimateWait(int waiting, StepBounds ahead, int canvas)
    {
        StepBounds batch = Volatile.Read(ref _runningBounds);
        int capacity = _options.MaxActiveSequences;
        int fewest = batch.FewestBeforeAPlace(capacity, ahead);
        int sequences = batch.Sequences + ahead.Sequences;
        double canvasPerSequence = sequences == 0 ? canvas : (double)(batch.CanvasTokens + ahead.CanvasTokens) / sequences;
        return _queueWait.Estimate(waiting, batch.Sequences, canvasPerSequence, batch.MostSteps + ahead.MostSteps, fewest);
    }

    /// <summary>The step bounds of the waiting requests: <see cref="StepBounds.None"/> once every request that queued has left the queue.</summary>
    internal StepBounds WaitingBounds => _waitingWork.Bounds;

    private void RunLoop()
    {
        var queue = new LinkedList<ActiveSequence>();
        var active = new List<ActiveSequence>();
        Exception stopped = new OperationCanceledException("The engine stopped.");
        try
        {
            Loop(queue, active, _stopping.Token);
            stopped = Volatile.Read(ref _abandoned) ?? stopped;
        }
#pragma warning disable CA1031 // Whatever broke the loop, its sequences must end rather than wait for it forever.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogCritical(ex, "The step loop failed; the engine stops and fails its requests.");
            _failure = ex;
            _draining = true;
            _arrivals.Writer.TryComplete();
            stopped = ex;
        }

        Interlocked.Exchange(ref _stepStarted, NoStep);
        _wallTime.EndIdle();
        foreach (ActiveSequence sequence in active)
        {
            Depart(sequence, stopped);
        }

        foreach (ActiveSequence sequence in queue)
        {
            sequence.Updates.Writer.TryComplete(stopped);
            _waitingWork.Leave(sequence);
        }

        while (_arrivals.Reader.TryRead(out ActiveSequence? pending))
        {
            pending.Updates.Writer.TryComplete(stopped);
            _waitingWork.Leave(pending);
        }

        // A stopped engine holds nothing: its load (the gateway's signal, /metrics) must not show the requests it ended.
        PublishLoad([]);
    }

    /// <summary>
    /// A <see cref="TimeoutException"/> when the loop holds requests and has been in one step (since the last step
    /// started) for <see cref="EngineOptions.StallTimeout"/>. The watch starts at each step's start and stops while the
    /// loop is idle, so it reads the clock only here and never adds a read to the loop.
    /// </summary>
    private TimeoutException? Stall()
    {
        long started = Interlocked.Read(ref _stepStarted);
        EngineLoad load = Load;
        if (started == NoStep || load.Waiting + load.Running == 0)
        {
            return null;
        }

        TimeSpan since = _time.GetElapsedTime(started);
        return since < _options.StallTimeout ? null : new TimeoutException(
            $"The step loop has been in one step for {since.TotalSeconds:0} s (StallTimeout {_options.StallTimeout.TotalSeconds:0} s) with {load.Running} requests running and {load.Waiting} waiting.");
    }

    private void Loop(LinkedList<ActiveSequence> queue, List<ActiveSequence> active, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            while (_arrivals.Reader.TryRead(out ActiveSequence? arrived))
            {
                queue.AddLast(arrived);
            }

            ExpireQueued(queue);
            active.RemoveAll(DepartIfCancelled);
            AdmitFromQueue(queue, active);
            PublishLoad(active);
            if (active.Count == 0)
            {
                Interlocked.Exchange(ref _stepStarted, NoStep);
                _wallTime.BeginIdle();
                if (!WaitForArrival(stopping))
                {
                    return;
                }

                continue;
            }

            _wallTime.EndIdle();
            Step(active, saturated: queue.Count > 0 || active.Count >= _options.MaxActiveSequences);
            active.RemoveAll(s => s.Departed);
        }
    }

    /// <summary>
    /// When a request (whose canvas holds <paramref name="canvas"/> tokens) that timed out in the queue may find a place:
    /// the expected wait behind the <paramref name="waiting"/> requests still queued (a second while the engine has not
    /// measured its drain).
    /// </summary>
    private TimeSpan RetryAfterQueueTimeout(int waiting, int canvas) =>
        RetryAfter(EstimateWait(waiting, _waitingWork.Bounds, canvas) ?? TimeSpan.Zero);

    /// <summary>
    /// A wait as a <c>Retry-After</c>: whole seconds, at least one and at most <see cref="MaxRetryAfter"/>. Past a minute
    /// an estimate from moving averages says little, a refusal costs the client nothing, and some clients (the OpenAI
    /// Node SDK) sleep for whatever the header says.
    /// </summary>
    private static TimeSpan RetryAfter(TimeSpan wait) =>
        TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling(wait.TotalSeconds), 1, MaxRetryAfter.TotalSeconds));

    private void ExpireQueued(LinkedList<ActiveSequence> queue)
    {
        DateTimeOffset now = _time.GetUtcNow();
        for (LinkedListNode<ActiveSequence>? node = queue.First; node is not null;)
        {
            LinkedListNode<ActiveSequence>? next = node.Next;
            ActiveSequence sequence = node.Value;
            bool expired = now - sequence.Enqueued > _options.QueueTimeout;
            if (expired || sequence.Cancellation.IsCancellationRequested)
            {
                queue.Remove(node);
                _waitingWork.Leave(sequence);
                sequence.Updates.Writer.TryComplete(expired
                    ? new EngineBusyException(EngineBusyReason.QueueTimeout, RetryAfterQueueTimeout(queue.Count, sequence.CanvasLength), $"The request waited longer than the queue timeout ({_options.QueueTimeout.TotalSeconds:0.#} s) for a place in the batch.")
                    : new OperationCanceledException(sequence.Cancellation));
            }

            node = next;
        }
    }

    private void AdmitFromQueue(LinkedList<ActiveSequence> queue, List<ActiveSequence> active)
    {
        int tokens = active.Sum(s => s.CanvasLength);
        while (queue.First is { } next && active.Count < _options.MaxActiveSequences
            && (active.Count == 0 || tokens + next.Value.CanvasLength <= _options.MaxTokensPerStep)
            && _kvCaches.TryReserve(next.Value.KvCacheBytes))
        {
            queue.RemoveFirst();
            _waitingWork.Leave(next.Value);
            if (AllocateKvCache(next.Value))
            {
                _queueWait.RecordJoin(next.Value.Denoiser.PlannedSteps);
                active.Add(next.Value);
                Volatile.Write(ref _runningBounds, RunningBounds(active));
                tokens += next.Value.CanvasLength;
            }
        }
    }

    /// <summary>
    /// Gives a sequence joining the batch its K/V cache (its bytes already reserved). When the device cannot, that
    /// request fails and the loop goes on.
    /// </summary>
    private bool AllocateKvCache(ActiveSequence sequence)
    {
        if (sequence.Denoiser.KvCacheMode == KvCacheMode.None)
        {
            return true;
        }

        try
        {
            sequence.KvCache = _model.AllocateKvCache(sequence.CanvasLength);
            return true;
        }
#pragma warning disable CA1031 // Host or device out of memory, or any other allocation failure: it fails this request, not the loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _kvCaches.Release(sequence.KvCacheBytes);
            _logger.LogError(ex, "Allocating a K/V cache of {Bytes} bytes failed; failing its request.", sequence.KvCacheBytes);
            sequence.Updates.Writer.TryComplete(ex);
            return false;
        }
    }

    private void PublishLoad(List<ActiveSequence> active)
    {
        Volatile.Write(ref _runningBounds, RunningBounds(active));
        Volatile.Write(ref _load, new EngineLoad(0, active.Count, active.Sum(s => s.CanvasLength), false));
    }

    /// <summary>The step bounds of the rest of <paramref name="active"/>'s answers.</summary>
    private static StepBounds RunningBounds(List<ActiveSequence> active)
    {
        if (active.Count == 0)
        {
            return StepBounds.None;
        }

        int[] fewest = [.. active.Select(s => s.FewestStepsLeft)];
        return new StepBounds(
            active.Sum(s => (long)s.Denoiser.MostStepsLeft), fewest.Sum(f => (long)f), fewest.Min(), fewest.Max(), active.Count, active.Sum(s => (long)s.CanvasLength));
    }

    private bool WaitForArrival(CancellationToken stopping)
    {
        try
        {
            return _arrivals.Reader.WaitToReadAsync(stopping).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private bool DepartIfCancelled(ActiveSequence sequence)
    {
        if (!sequence.Cancellation.IsCancellationRequested)
        {
            return false;
        }

        Depart(sequence, new OperationCanceledException(sequence.Cancellation));
        return true;
    }

    /// <summary>
    /// One step: the batch's forward inputs, the forward pass over every active canvas with each sequence's commits
    /// selected where the scores are (on the device with CUDA), then each sequence's commit.
    /// The wall time since the previous charge (all three, and the loop's bookkeeping before them) is shared among the
    /// batch before the step's updates go out, so each update's
    /// <see cref="GenerationUpdate.GpuSeconds"/> includes the step that produced it. A failed forward pass is charged
    /// too, then fails the whole batch. A <paramref name="saturated"/> step (a full batch, or requests waited for a place) teaches
    /// admission control how fast a full batch drains.
    /// </summary>
    private void Step(List<ActiveSequence> active, bool saturated)
    {
        long started = _time.GetTimestamp();
        Interlocked.Exchange(ref _stepStarted, started);
        var batch = DenoisingBatch.Prepare([.. active.Select(s => s.Denoiser)], i => active[i].KvCache);
        int[] tokens = [.. batch.Inputs.Select(_model.ComputedTokens)];
        try
        {
            batch.Select(_model);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogError(ex, "A forward pass over {Sequences} sequences failed; failing them.", active.Count);
            Charge(active, tokens, _wallTime.ChargeStep(_time.GetTimestamp()));
            foreach (ActiveSequence sequence in active)
            {
                Depart(sequence, ex);
            }

            return;
        }

        var finalised = new IReadOnlyList<int>?[active.Count];
        var answerBefore = new int[active.Count];
        var failed = new Exception?[active.Count];
        for (int i = 0; i < active.Count; i++)
        {
            DenoisingSequence denoiser = active[i].Denoiser;
            answerBefore[i] = denoiser.CompletionTokens;
            try
            {
                finalised[i] = batch.Commit(i);
            }
            catch (InvalidOperationException ex)
            {
                // One sequence's commit (its constraint refusing what its step allowed) fails that sequence only.
                _logger.LogError(ex, "A sequence's commit failed; failing it, not its batch.");
                failed[i] = ex;
                continue;
            }

            Metrics.RecordCommitted(denoiser.LastCommitted);
        }

        long ended = _time.GetTimestamp();
        TimeSpan elapsed = _time.GetElapsedTime(started, ended);
        Metrics.RecordStep(elapsed, active.Count);
        if (saturated)
        {
            _queueWait.RecordSaturatedStep(elapsed, active.Count, active.Sum(s => (long)s.CanvasLength));
        }

        Charge(active, tokens, _wallTime.ChargeStep(ended));
        for (int i = 0; i < active.Count; i++)
        {
            if (failed[i] is { } error)
            {
                Depart(active[i], error);
            }
            else
            {
                Publish(active[i], finalised[i], answerBefore[i]);
            }
        }
    }

    private static void Charge(List<ActiveSequence> active, ReadOnlySpan<int> tokens, TimeSpan step)
    {
        TimeSpan[] shares = StepTimeSplit.ByTokens(step, tokens);
        for (int i = 0; i < active.Count; i++)
        {
            active[i].GpuTime += shares[i];
        }
    }

    /// <summary>
    /// Sends the block a step finalised, if any; a finished sequence then leaves, and so does one whose caller says the
    /// block ends its answer (<see cref="GenerationRequest.EndsAfterBlock"/>), as a cancelled one does.
    /// </summary>
    private void Publish(ActiveSequence sequence, IReadOnlyList<int>? finalised, int answerBefore)
    {
        if (finalised is null)
        {
            return;
        }

        DenoisingSequence denoiser = sequence.Denoiser;
        sequence.Updates.Writer.TryWrite(new GenerationUpdate(finalised, denoiser.Finish, denoiser.StepsTaken)
        {
            LogProbabilities = denoiser.LogProbabilities(answerBefore, finalised.Count).ToArray(),
            TopLogprobs = denoiser.Alternatives(answerBefore, finalised.Count),
            GpuSeconds = sequence.GpuTime.TotalSeconds,
            EndedAtEndToken = denoiser.EndedAtEndToken,
        });
        if (denoiser.Finish is not null)
        {
            Depart(sequence, null);
        }
        else if (EndsAfter(sequence, finalised))
        {
            Depart(sequence, new OperationCanceledException("The caller's stop sequence ended the answer."));
        }
    }

    private bool EndsAfter(ActiveSequence sequence, IReadOnlyList<int> finalised)
    {
        try
        {
            return sequence.EndsAfterBlock?.Invoke(finalised) == true;
        }
#pragma warning disable CA1031 // The caller's check failing must not fail the step loop; the sequence goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "A request's end-of-answer check failed; its sequence goes on.");
            return false;
        }
    }

    /// <summary>
    /// Lets go of a sequence that joined the step loop, once: frees its K/V cache, meters its device time to its
    /// tenant, then ends its updates, with the settlement update before <paramref name="error"/> when it did not
    /// finish. The meter is recorded before the channel ends, so whoever sees the end also sees the measurement.
    /// </summary>
    private void Depart(ActiveSequence sequence, Exception? error)
    {
        if (sequence.Departed)
        {
            return;
        }

        sequence.Departed = true;
        if (sequence.KvCache is { } cache)
        {
            cache.Dispose();
            sequence.KvCache = null;
            _kvCaches.Release(sequence.KvCacheBytes);
        }

        _queueWait.RecordDeparture(sequence.Denoiser.StepsTaken);
        Metering.RecordSequence(sequence.Tenant, sequence.GpuTime);
        if (error is not null)
        {
            sequence.Updates.Writer.TryWrite(GenerationUpdate.Settlement(sequence.Denoiser.StepsTaken, sequence.GpuTime.TotalSeconds));
        }

        sequence.Updates.Writer.TryComplete(error);
    }
}
