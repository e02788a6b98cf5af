using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// One step loop per model: each iteration admits the sequences that arrived since the last step, drops the
/// cancelled ones, runs one forward pass over every active canvas together, and commits each sequence's tokens.
/// A sequence joins at the next step and leaves as soon as it finishes, so no request waits for another to end.
/// </summary>
public sealed class DiffusionEngine : IGenerationEngine, IDisposable
{
    private readonly DiffusionTransformer _model;
    private readonly EngineOptions _options;
    private readonly IReadOnlySet<int> _endTokens;
    private readonly ILogger _logger;
    private readonly Channel<ActiveSequence> _arrivals = Channel.CreateUnbounded<ActiveSequence>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    /// <summary>Starts the step loop.</summary>
    /// <param name="model">The model to run.</param>
    /// <param name="options">Defaults for requests.</param>
    /// <param name="endTokens">Ids that end an answer (EOS, EoT).</param>
    /// <param name="logger">Where failures of the loop are logged.</param>
    public DiffusionEngine(DiffusionTransformer model, EngineOptions options, IReadOnlySet<int> endTokens, ILogger<DiffusionEngine> logger)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _endTokens = endTokens ?? throw new ArgumentNullException(nameof(endTokens));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _loop = Task.Factory.StartNew(RunLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Sequences in the step loop right now.</summary>
    public int ActiveCount { get; private set; }

    /// <summary>Forward passes run since start.</summary>
    public long StepsRun { get; private set; }

    /// <inheritdoc />
    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sequence = new ActiveSequence(CreateDenoiser(request), cancellationToken);
        if (!_arrivals.Writer.TryWrite(sequence))
        {
            throw new ObjectDisposedException(nameof(DiffusionEngine), "The engine is shutting down.");
        }

        await foreach (GenerationUpdate update in sequence.Updates.Reader.ReadAllAsync(cancellationToken))
        {
            yield return update;
        }
    }

    /// <summary>Stops the step loop; sequences still running end with an <see cref="OperationCanceledException"/>.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _arrivals.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(30));
        _stopping.Dispose();
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

    private void RunLoop()
    {
        var active = new List<ActiveSequence>();
        CancellationToken stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            while (_arrivals.Reader.TryRead(out ActiveSequence? arrived))
            {
                active.Add(arrived);
            }

            active.RemoveAll(CompleteIfCancelled);
            ActiveCount = active.Count;
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

        foreach (ActiveSequence sequence in active)
        {
            sequence.Updates.Writer.TryComplete(new OperationCanceledException("The engine stopped."));
        }

        while (_arrivals.Reader.TryRead(out ActiveSequence? pending))
        {
            pending.Updates.Writer.TryComplete(new OperationCanceledException("The engine stopped."));
        }
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
        try
        {
            _model.Forward(batch, scores);
            StepsRun++;
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
