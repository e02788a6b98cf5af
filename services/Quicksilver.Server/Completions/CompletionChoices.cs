using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Quicksilver.Engine;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Errors;
using Quicksilver.Server.Metering;
using Quicksilver.Server.Telemetry;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Completions;

/// <summary>
/// The <c>n</c> answers of one request, each its own <see cref="CompletionRun"/> (its own sequence in the engine's
/// batch; choice i samples with seed <c>seed + i</c>), and their deltas merged in the order blocks are finalised.
/// <c>logprobs</c> is null when the request asks for no log-probabilities, otherwise how many alternatives to list at
/// each token (the engine's <see cref="GenerationRequest.TopLogprobs"/>). <c>ranked</c> choices (<c>best_of</c>) keep
/// their tokens' log-probabilities whether or not they report them, for <see cref="Best"/>. A request whose client
/// leaves after the engine began it is billed what it had used by then (<see cref="RunAsync"/>). With
/// <c>holdBackFrom</c>, each choice's text from that marker on comes whole in its last delta (<see cref="TextHoldback"/>).
/// </summary>
internal sealed class CompletionChoices
{
    private readonly CompletionRun[] _runs;
    private readonly IGenerationEngine _engine;
    private readonly string _model;
    private readonly GenerationRequest _request;
    private readonly UsageMeter _meter;
    private readonly bool _ranked;
    private readonly string _operation;
    private CompletionUsage? _usage;

    public CompletionChoices(ServedModel model, GenerationRequest request, UsageMeter meter, int count, IReadOnlyList<string> stop, string? echo, int? logprobs, string operation = GenAiOperations.TextCompletion, bool ranked = false, string? holdBackFrom = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(meter);
        _model = model.Id;
        _engine = model.Engine;
        _meter = meter;
        request = request with { TopLogprobs = logprobs ?? 0 };
        _request = request;
        _ranked = ranked;
        _operation = operation;
        Echo = echo;
        _runs = new CompletionRun[count];
        for (int i = 0; i < count; i++)
        {
            GenerationRequest choice = request.Seed is { } seed ? request with { Seed = unchecked(seed + (ulong)i) } : request;
            TokenLogprobTracker? tracker = logprobs is not null || ranked ? new TokenLogprobTracker(model.Tokenizer, TokenLogprobTracker.Characters(echo ?? string.Empty), listsAlternatives: logprobs > 0) : null;
            _runs[i] = new CompletionRun(model, choice, stop, tracker, reportsLogprobs: logprobs is not null, holdBackFrom);
        }
    }

    public int Count => _runs.Length;

    /// <summary>The prompt text each choice starts with (<c>echo</c>), or null.</summary>
    public string? Echo { get; }

    /// <summary>Answer tokens finalised over all choices (the usage's completion tokens).</summary>
    public int CompletionTokens => _runs.Sum(run => run.CompletionTokens);

    /// <summary>
    /// The request's usage, once every choice has ended: the prompt counted once, the choices' tokens and device
    /// seconds and denoising steps summed, priced and counted by the request's <see cref="UsageMeter"/>. Billed on the
    /// first call; later calls return the same usage.
    /// </summary>
    public CompletionUsage Bill() =>
        _usage ??= _meter.Bill(_model, _request.Tenant, _request.InputTokenCount, CompletionTokens, _runs.Sum(run => run.GpuSeconds), _runs.Sum(run => run.DenoisingSteps));

    /// <summary>
    /// Which <paramref name="count"/> of the ended choices <c>best_of</c> returns: those with the highest mean token
    /// log-probability (<see cref="CompletionRun.MeanLogprob"/>), best first, ties to the lower index.
    /// </summary>
    public int[] Best(int count) => _ranked
        ? [.. Enumerable.Range(0, _runs.Length).OrderByDescending(i => _runs[i].MeanLogprob).ThenBy(i => i).Take(count)]
        : throw new InvalidOperationException("Only ranked choices (best_of) keep the log-probabilities Best ranks by.");

    /// <summary>Runs every choice to its end and returns each one's text (prompt first with echo), finish and log-probabilities.</summary>
    public async Task<(string Text, FinishReason Finish, AnswerLogprobs? Logprobs)[]> CollectAsync(CancellationToken cancellationToken)
    {
        var answers = new ChoiceAnswer[_runs.Length];
        for (int i = 0; i < answers.Length; i++)
        {
            answers[i] = new ChoiceAnswer(Echo);
        }

        await foreach ((int index, CompletionDelta delta) in RunAsync(cancellationToken))
        {
            answers[index].Add(delta);
        }

        return [.. answers.Select(answer => answer.Result())];
    }

    /// <summary>
    /// Starts the choices and waits for the first delta, positioned on it, before any header goes out: an engine that
    /// rejects the request (400) or is busy (429/503) is then still answered with a plain error.
    /// </summary>
    public async Task<IAsyncEnumerator<(int Index, CompletionDelta Delta)>> StartStreamAsync(CancellationToken cancellationToken)
    {
        IAsyncEnumerator<(int Index, CompletionDelta Delta)> deltas = RunAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            return await deltas.MoveNextAsync()
                ? deltas
                : throw new InvalidOperationException("The completion ended without a finish reason.");
        }
        catch
        {
            await deltas.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Every choice's deltas as they come; a failure of any choice ends the whole stream with it. When the client
    /// leaves (<paramref name="cancellationToken"/>) after the engine ran a step for the request, the request is
    /// billed its prompt and the tokens finalised so far: the device did that work. A request refused or still waiting
    /// for a slot is billed nothing. The request is one span and one set of GenAI measurements
    /// (<see cref="RequestTelemetry"/>), named by its operation, however many choices it has.
    /// </summary>
    public async IAsyncEnumerable<(int Index, CompletionDelta Delta)> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var telemetry = RequestTelemetry.Start(_operation, _model, _request, _runs.Length);
        try
        {
            await foreach ((int, CompletionDelta) item in RunChoicesAsync(telemetry, cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            if (cancellationToken.IsCancellationRequested && _runs.Any(run => run.DenoisingSteps > 0))
            {
                Bill();
            }
        }
    }

    private async IAsyncEnumerable<(int Index, CompletionDelta Delta)> RunChoicesAsync(RequestTelemetry telemetry, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var all = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CancellationTokenSource[] generations = [.. _runs.Select(_ => CancellationTokenSource.CreateLinkedTokenSource(all.Token))];
        try
        {
            IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> updates = Admit(telemetry, generations);
            if (_runs.Length == 1)
            {
                await foreach (CompletionDelta delta in _runs[0].RunAsync(telemetry, 0, updates[0], generations[0]))
                {
                    yield return (0, delta);
                }

                yield break;
            }

            var merged = Channel.CreateUnbounded<(int, CompletionDelta)>(new UnboundedChannelOptions { SingleReader = true });
            Task pumps = Task.WhenAll(_runs.Select((run, index) => PumpAsync(run.RunAsync(telemetry, index, updates[index], generations[index]), index, merged.Writer, all)));
            _ = pumps.ContinueWith(
                _ => merged.Writer.TryComplete(),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            try
            {
                await foreach ((int, CompletionDelta) item in merged.Reader.ReadAllAsync(cancellationToken))
                {
                    yield return item;
                }
            }
            finally
            {
                // A consumer that stops early (error, disconnect) stops every choice's generation.
                await all.CancelAsync();
                await pumps.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        finally
        {
            foreach (CancellationTokenSource generation in generations)
            {
                generation.Dispose();
            }
        }
    }

    /// <summary>
    /// Hands every choice to the engine at once: it admits them together or refuses the request (429/503), before any
    /// header goes out, so that no choice runs for a request that is refused.
    /// </summary>
    private IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> Admit(RequestTelemetry telemetry, CancellationTokenSource[] generations)
    {
        try
        {
            return _engine.GenerateTogether([.. _runs.Select((run, index) => (run.EngineRequest, generations[index].Token))]);
        }
        catch (Exception exception)
        {
            ApiErrorException? error = EngineErrors.ToApiError(exception);
            telemetry.Fail(error ?? exception);
            if (error is not null)
            {
                throw error;
            }

            throw;
        }
    }

    /// <summary>
    /// One choice's deltas into the merge. The first choice to fail ends the request at once with its error and stops
    /// the others. An engine stopping under a choice (a cancellation nobody here asked for) is such an error too.
    /// </summary>
    private static async Task PumpAsync(IAsyncEnumerable<CompletionDelta> deltas, int index, ChannelWriter<(int, CompletionDelta)> writer, CancellationTokenSource all)
    {
        try
        {
            await foreach (CompletionDelta delta in deltas)
            {
                await writer.WriteAsync((index, delta), all.Token);
            }
        }
#pragma warning disable CA1031 // Whatever ended this choice is handed to the consumer, who rethrows it.
        catch (Exception ex) when (!all.IsCancellationRequested)
#pragma warning restore CA1031
        {
            writer.TryComplete(ex);
            await all.CancelAsync();
        }
    }
}
