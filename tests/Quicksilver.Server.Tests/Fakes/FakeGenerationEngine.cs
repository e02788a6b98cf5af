using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Server.Tests.Fakes;

/// <summary>
/// A deterministic stand-in for the diffusion engine: whatever the prompt, the answer is <see cref="Answer"/>
/// followed by EOS, laid on a canvas of <c>MaxTokens</c> positions and released one block at a time
/// (<c>BlockLength</c>, default <see cref="DefaultBlockLength"/>), cut at EOS like the real engine. Hooks let tests
/// pause it, reject requests or fail mid-stream, and see the requests and the cancellation it got.
/// </summary>
internal sealed class FakeGenerationEngine(ITextTokenizer tokenizer) : IGenerationEngine
{
    public const string DefaultAnswer = "Héllo, diffusion wörld: 1€ ✓ done.";

    /// <summary>The device time the fake charges per step (<see cref="GenerationUpdate.GpuSeconds"/> is cumulative).</summary>
    public const double GpuSecondsPerStep = 0.001;

    public string Answer { get; init; } = DefaultAnswer;

    public int DefaultBlockLength { get; init; } = 8;

    /// <summary>When set, the engine waits for <see cref="Gate"/> after releasing this many blocks.</summary>
    public int? PauseAfterBlocks { get; init; }

    /// <summary>Refuse every request with <see cref="InvalidRequestException"/> (param <c>block_length</c>) and this message when it is handed over, as the real engine's validation does.</summary>
    public string? RejectWith { get; init; }

    /// <summary>When set, a request whose sequences would take the count admitted past this many is refused with <see cref="EngineBusyReason.QueueFull"/> (429).</summary>
    public int? AdmitsAtMost { get; init; }

    /// <summary>Throw <see cref="InvalidOperationException"/> after releasing this many blocks.</summary>
    public int? FailAfterBlocks { get; init; }

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when a generation starts waiting for <see cref="Gate"/> (its earlier blocks were all read).</summary>
    public TaskCompletionSource Paused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when the cancellation token of a generation fires.</summary>
    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<GenerationRequest> Requests { get; } = new();

    public GenerationRequest LastRequest => Requests.Last();

    /// <summary>The tokens the answer would have for a given <c>max_tokens</c>, and the finish reason.</summary>
    public (IReadOnlyList<int> Tokens, FinishReason Finish) Expected(int maxTokens)
    {
        List<int> canvas = [.. tokenizer.Encode(Answer), FakeTokenizer.EosId];
        return canvas.Count <= maxTokens
            ? (canvas[..^1], FinishReason.Stop)
            : (canvas[..maxTokens], FinishReason.Length);
    }

    /// <summary>The usage's <c>completion_tokens</c> for a given <c>max_tokens</c>: the answer's, and its end token when it ends at one.</summary>
    public int ExpectedCompletionTokens(int maxTokens)
    {
        (IReadOnlyList<int> tokens, FinishReason finish) = Expected(maxTokens);
        return tokens.Count + (finish == FinishReason.Stop ? 1 : 0);
    }

    private readonly Lock _admission = new();
    private int _running;
    private int _admitted;
    private volatile bool _draining;
    private readonly TaskCompletionSource _abandoned = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public EngineLoad Load => new(0, Volatile.Read(ref _running), 0, _draining);

    /// <summary>Set it to play an engine whose step loop died.</summary>
    public Exception? Failure { get; set; }

    public void BeginDrain() => _draining = true;

    /// <summary>Paused generations end as the real engine ends them when a drain runs out of time.</summary>
    public void AbandonRemaining()
    {
        _draining = true;
        _abandoned.TrySetResult();
    }

    public async Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _running) > 0)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>Admits a request's sequences all or none, as the real engine does, then runs each lazily.</summary>
    public IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> GenerateTogether(IReadOnlyList<(GenerationRequest Request, CancellationToken Cancellation)> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (_draining)
        {
            throw new EngineBusyException(EngineBusyReason.Draining, TimeSpan.FromSeconds(1), "draining");
        }

        if (RejectWith is not null)
        {
            // As the real engine validates: when the request is handed over, before any sequence is queued.
            throw new InvalidRequestException("block_length", RejectWith);
        }

        lock (_admission)
        {
            if (_admitted + sequences.Count > AdmitsAtMost)
            {
                throw new EngineBusyException(EngineBusyReason.QueueFull, TimeSpan.FromSeconds(1), "The fake engine's queue is full.");
            }

            _admitted += sequences.Count;
        }

        return [.. sequences.Select(sequence => Generate(sequence.Request, sequence.Cancellation))];
    }

    /// <summary>One sequence, admitted (or refused) at once.</summary>
    public IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken) =>
        GenerateTogether([(request, cancellationToken)])[0];

    private async IAsyncEnumerable<GenerationUpdate> Generate(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _running);
        try
        {
            await foreach (GenerationUpdate update in GenerateCore(request, cancellationToken))
            {
                yield return update;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private async IAsyncEnumerable<GenerationUpdate> GenerateCore(
        GenerationRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        // Checked when the sequence ends (finished, failed or disposed), not by a token callback: Cancel() may run the
        // awaiting code inline and dispose a registration before its callback gets its turn.
        try
        {
            List<int> canvas = [.. tokenizer.Encode(Answer), FakeTokenizer.EosId];
            int blockLength = Math.Min(request.BlockLength ?? DefaultBlockLength, request.MaxTokens);
            int steps = 0;
            for (int start = 0, block = 0; start < request.MaxTokens; start += blockLength, block++)
            {
                if (block == PauseAfterBlocks)
                {
                    Paused.TrySetResult();
                    if (await Task.WhenAny(Gate.Task, _abandoned.Task).WaitAsync(cancellationToken) == _abandoned.Task)
                    {
                        throw new EngineBusyException(EngineBusyReason.Draining, TimeSpan.FromSeconds(1), "The fake engine was abandoned by a drain that ran out of time.");
                    }
                }

                if (block == FailAfterBlocks)
                {
                    throw new InvalidOperationException("The fake engine failed on purpose.");
                }

                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                steps += blockLength;
                int end = Math.Min(start + blockLength, request.MaxTokens);
                List<int> tokens = [.. canvas.Skip(start).Take(end - start)];
                int eos = tokens.IndexOf(FakeTokenizer.EosId);
                if (eos >= 0 || start >= canvas.Count)
                {
                    List<int> final = eos >= 0 ? tokens[..eos] : [];
                    yield return new GenerationUpdate(final, FinishReason.Stop, steps)
                    {
                        LogProbabilities = LogProbabilities(final),
                        TopLogprobs = Alternatives(final, request.TopLogprobs),
                        GpuSeconds = steps * GpuSecondsPerStep,
                        EndedAtEndToken = true,
                    };
                    yield break;
                }

                yield return new GenerationUpdate(tokens, end >= request.MaxTokens ? FinishReason.Length : null, steps)
                {
                    LogProbabilities = LogProbabilities(tokens),
                    TopLogprobs = Alternatives(tokens, request.TopLogprobs),
                    GpuSeconds = steps * GpuSecondsPerStep,
                };
            }
        }
        finally
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Cancelled.TrySetResult();
            }
        }
    }

    /// <summary>A made-up log-probability per token: −(its position in the block + 1) / 10.</summary>
    private static float[] LogProbabilities(List<int> tokens) => [.. tokens.Select((_, i) => -(i + 1) / 10f)];

    /// <summary>
    /// Made-up alternatives, <paramref name="count"/> per token: the letters 'A', 'B', … with log-probabilities
    /// −1/32, −2/32, …, all likelier than the token itself (as if it had been sampled from further down).
    /// </summary>
    private static IReadOnlyList<TokenLogprob>[] Alternatives(List<int> tokens, int count) =>
        [.. tokens.Select(_ => (IReadOnlyList<TokenLogprob>)[.. Enumerable.Range(0, count).Select(k => new TokenLogprob(LetterId(k), -(k + 1) / 32f))])];

    private static int LetterId(int letter) => 2 + 'A' + letter; // FakeTokenizer's byte ids start at 2
}
