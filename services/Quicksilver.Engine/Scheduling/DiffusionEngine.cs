using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// One step loop per model (continuous batching at step granularity): each iteration admits waiting requests up to
/// <see cref="EngineOptions.MaxActiveSequences"/> and <see cref="EngineOptions.MaxTokensPerStep"/>, drops cancelled
/// ones, runs one forward pass over every active canvas together, and commits each sequence's tokens. A sequence
/// joins at the next step and leaves as soon as it finishes, so no request waits for another to end.
/// </summary>
public sealed class DiffusionEngine : IGenerationEngine, IDisposable
{
    private readonly DiffusionTransformer _model;
    private readonly EngineOptions _options;
    private readonly IReadOnlySet<int> _endTokens;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<ActiveSequence> _arrivals = Channel.CreateUnbounded<ActiveSequence>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private int _waiting;
    private int _disposed;
    private volatile bool _draining;
    private EngineLoad _load = new(0, 0, 0, false);

    /// <summary>Starts the step loop.</summary>
    /// <param name="model">The model to run.</param>
    /// <param name="options">Limits and defaults.</param>
    /// <param name="endTokens">Ids that end an answer (EOS, EoT).</param>
    /// <param name="logger">Where failures of the loop are logged.</param>
    /// <param name="timeProvider">Clock for queue timeouts; the system clock when null.</param>
    public DiffusionEngine(DiffusionTransformer model, EngineOptions options, IReadOnlySet<int> endTokens, ILogger<DiffusionEngine> logger, TimeProvider? timeProvider = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _endTokens = endTokens ?? throw new ArgumentNullException(nameof(endTokens));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = timeProvider ?? TimeProvider.System;
        Metrics = new EngineMetrics(options.ModelId ?? "model", () => Load);
        _loop = Task.Factory.StartNew(RunLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <inheritdoc />
    public EngineLoad Load => Volatile.Read(ref _load) with { Waiting = Volatile.Read(ref _waiting), Draining = _draining };

    /// <summary>The step loop's meters.</summary>
    public EngineMetrics Metrics { get; }

    /// <inheritdoc />
    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sequence = new ActiveSequence(CreateDenoiser(request), _time.GetUtcNow(), cancellationToken);
        Admit(sequence);
        await foreach (GenerationUpdate update in sequence.Updates.Reader.ReadAllAsync(cancellationToken))
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public void BeginDrain() => _draining = true;

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
        _stopping.Cancel();
        _arrivals.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(30));
        _stopping.Dispose();
        Metrics.Dispose();
    }

    private DenoisingSequence CreateDenoiser(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequestValidator.Validate(request, _model.Config);
        int blockLength = request.BlockLength ?? _options.DefaultBlockLength;
        var plan = DiffusionPlan.Create(request.MaxTokens, blockLength, request.Steps ?? request.MaxTokens);
        ulong seed = request.Seed ?? (ulong)Random.Shared.NextInt64();
        var settings = new DecodingSettings(request.Temperature, seed, request.Remasking, request.Commit, request.CommitParameter);
        return new DenoisingSequence(request.PromptTokens, plan, settings, _model.Config.MaskTokenId, _endTokens);
    }

    private void Admit(ActiveSequence sequence)
    {
        if (_draining)
        {
            throw new EngineBusyException(EngineBusyReason.Draining, TimeSpan.FromSeconds(1), "The server is shutting down and accepts no new requests.");
        }

        if (Interlocked.Increment(ref _waiting) > _options.MaxQueuedRequests)
        {
            Interlocked.Decrement(ref _waiting);
            throw new EngineBusyException(EngineBusyReason.QueueFull, TimeSpan.FromSeconds(1), $"The server's queue is full ({_options.MaxQueuedRequests} requests waiting). Retry shortly.");
        }

        if (!_arrivals.Writer.TryWrite(sequence))
        {
            Interlocked.Decrement(ref _waiting);
            throw new EngineBusyException(EngineBusyReason.Draining, TimeSpan.FromSeconds(1), "The engine has stopped.");
        }
    }

    private void RunLoop()
    {
        var queue = new LinkedList<ActiveSequence>();
        var active = new List<ActiveSequence>();
        CancellationToken stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            while (_arrivals.Reader.TryRead(out ActiveSequence? arrived))
            {
                queue.AddLast(arrived);
            }

            ExpireQueued(queue);
            active.RemoveAll(CompleteIfCancelled);
            AdmitFromQueue(queue, active);
            PublishLoad(active);
            if (active.Count == 0)
            {
                if (!WaitForArrival(stopping))
                {
                    break;
                }

                continue;
            }

            Step(active);
            active.RemoveAll(s => s.Denoiser.Finish is not null);
        }

        var stopped = new OperationCanceledException("The engine stopped.");
        foreach (ActiveSequence sequence in active.Concat(queue))
        {
            sequence.Updates.Writer.TryComplete(stopped);
        }

        while (_arrivals.Reader.TryRead(out ActiveSequence? pending))
        {
            pending.Updates.Writer.TryComplete(stopped);
        }
    }

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
                sequence.Updates.Writer.TryComplete(expired
                    ? new EngineBusyException(EngineBusyReason.QueueTimeout, TimeSpan.FromSeconds(1), $"The request waited longer than the queue timeout ({_options.QueueTimeout.TotalSeconds:0.#} s) for a place in the batch.")
                    : new OperationCanceledException(sequence.Cancellation));
                queue.Remove(node);
                Interlocked.Decrement(ref _waiting);
            }

            node = next;
        }
    }

    private void AdmitFromQueue(LinkedList<ActiveSequence> queue, List<ActiveSequence> active)
    {
        int tokens = active.Sum(s => s.CanvasLength);
        while (queue.First is { } next && active.Count < _options.MaxActiveSequences
            && (active.Count == 0 || tokens + next.Value.CanvasLength <= _options.MaxTokensPerStep))
        {
            queue.RemoveFirst();
            Interlocked.Decrement(ref _waiting);
            active.Add(next.Value);
            tokens += next.Value.CanvasLength;
        }
    }

    private void PublishLoad(List<ActiveSequence> active) =>
        Volatile.Write(ref _load, new EngineLoad(0, active.Count, active.Sum(s => s.CanvasLength), false));

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

    private static bool CompleteIfCancelled(ActiveSequence sequence)
    {
        if (!sequence.Cancellation.IsCancellationRequested)
        {
            return false;
        }

        sequence.Updates.Writer.TryComplete(new OperationCanceledException(sequence.Cancellation));
        return true;
    }

    private void Step(List<ActiveSequence> active)
    {
        var batch = new ForwardSequence[active.Count];
        int scored = 0;
        for (int i = 0; i < active.Count; i++)
        {
            batch[i] = active[i].CurrentStep = active[i].Denoiser.NextStep();
            scored += batch[i].ScorePositions.Count;
        }

        var scores = new TokenScore[scored];
        long started = Stopwatch.GetTimestamp();
        try
        {
            _model.Forward(batch, scores);
            Metrics.RecordStep(Stopwatch.GetElapsedTime(started), active.Count);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogError(ex, "A forward pass over {Sequences} sequences failed; failing them.", active.Count);
            foreach (ActiveSequence sequence in active)
            {
                sequence.Updates.Writer.TryComplete(ex);
            }

            active.Clear();
            return;
        }

        int offset = 0;
        foreach (ActiveSequence sequence in active)
        {
            int count = sequence.CurrentStep!.ScorePositions.Count;
            DenoisingSequence denoiser = sequence.Denoiser;
            int answerBefore = denoiser.CompletionTokens;
            IReadOnlyList<int>? finalised = denoiser.Commit(sequence.CurrentStep, scores.AsSpan(offset, count));
            offset += count;
            Metrics.RecordCommitted(denoiser.LastCommitted);
            if (finalised is not null)
            {
                sequence.Updates.Writer.TryWrite(new GenerationUpdate(finalised, denoiser.Finish, denoiser.StepsTaken)
                {
                    LogProbabilities = denoiser.LogProbabilities(answerBefore, finalised.Count).ToArray(),
                });
                if (denoiser.Finish is not null)
                {
                    sequence.Updates.Writer.TryComplete();
                }
            }
        }
    }
}
