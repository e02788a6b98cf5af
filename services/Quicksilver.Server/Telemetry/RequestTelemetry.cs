using System.Diagnostics;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Completions;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Telemetry;

/// <summary>
/// The trace and GenAI metrics of one request, kept by <see cref="CompletionChoices"/> over its choices'
/// <see cref="CompletionRun"/>s (the loop every endpoint goes through): an activity <c>{operation} {model}</c> from
/// source <c>Quicksilver.Server</c>, and on its end one measurement of each <see cref="ServerMetrics"/> instrument,
/// however many choices (<c>n</c>, <c>best_of</c>) it has: the request ends when its last choice finishes, or when one
/// fails. Records sizes, settings and timings, never text. Thread-safe: choices run concurrently.
/// </summary>
internal sealed class RequestTelemetry : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Activity? _activity;
    private readonly TagList _tags;
    private readonly int _inputTokens;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly int[] _outputTokens;
    private readonly int?[] _firstBlockTokens;
    private readonly int[] _steps;
    private readonly FinishReason?[] _finishes;
    private int _finished;
    private long _firstBlock;
    private bool _ended;

    private RequestTelemetry(string operation, string model, GenerationRequest request, int choices)
    {
        _inputTokens = request.InputTokenCount;
        _outputTokens = new int[choices];
        _firstBlockTokens = new int?[choices];
        _steps = new int[choices];
        _finishes = new FinishReason?[choices];
        _tags = new TagList
        {
            { GenAiAttributes.OperationName, operation },
            { GenAiAttributes.ProviderName, GenAiAttributes.Provider },
            { GenAiAttributes.RequestModel, model },
            { GenAiAttributes.ResponseModel, model },
        };

        _activity = ServerDiagnostics.ActivitySource.StartActivity($"{operation} {model}", ActivityKind.Internal);
        if (_activity is { IsAllDataRequested: true })
        {
            foreach (KeyValuePair<string, object?> tag in _tags)
            {
                _activity.SetTag(tag.Key, tag.Value);
            }

            _activity.SetTag(GenAiAttributes.RequestMaxTokens, request.MaxTokens);
            _activity.SetTag(GenAiAttributes.RequestTemperature, (double)request.Temperature);
            if (choices > 1)
            {
                _activity.SetTag(GenAiAttributes.RequestChoiceCount, choices);
            }

            if (request.Seed is { } seed)
            {
                _activity.SetTag(GenAiAttributes.RequestSeed, seed);
            }
        }
    }

    /// <summary>Starts the span and the clock of one request.</summary>
    /// <param name="operation">See <see cref="GenAiOperations"/>.</param>
    /// <param name="model">The served model's id (request and response model).</param>
    /// <param name="request">What the engine is asked to generate (the prompt is counted once, whatever the choices).</param>
    /// <param name="choices">The request's choices, each reported by its index.</param>
    public static RequestTelemetry Start(string operation, string model, GenerationRequest request, int choices = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(choices, 1);
        return new RequestTelemetry(operation, model, request, choices);
    }

    /// <summary>
    /// Notes one update of the engine for <paramref name="choice"/>: the request's first one is its first finalised
    /// block (time to first token).
    /// </summary>
    public void Record(int choice, GenerationUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_lock)
        {
            if (_firstBlock == 0)
            {
                _firstBlock = Stopwatch.GetTimestamp();
            }

            _outputTokens[choice] += update.Tokens.Count;
            _firstBlockTokens[choice] ??= update.Tokens.Count;
            _steps[choice] = Math.Max(_steps[choice], update.Steps);
        }
    }

    /// <summary>
    /// Notes that the engine has run <paramref name="steps"/> steps for <paramref name="choice"/>, also on an update
    /// that finalises nothing (a cancelled sequence's settlement): a request the engine ran a step for was admitted,
    /// and its prompt is counted, as the metering bills it, even if its caller left before its first block.
    /// </summary>
    public void NoteSteps(int choice, int steps)
    {
        lock (_lock)
        {
            _steps[choice] = Math.Max(_steps[choice], steps);
        }
    }

    /// <summary>
    /// Sets <paramref name="choice"/>'s output tokens to <paramref name="count"/>, its usage's: a stop sequence ended it
    /// inside a finalised block, or it ended at its end token, which the updates' tokens leave out.
    /// </summary>
    public void CountOutputTokens(int choice, int count)
    {
        lock (_lock)
        {
            _outputTokens[choice] = count;
        }
    }

    /// <summary>
    /// Advances <paramref name="choice"/>'s <paramref name="deltas"/>: the delta with its finish reason finishes the
    /// choice, and the request with its last choice (success); the enumerator throwing ends the request (failure, then
    /// rethrown as is).
    /// </summary>
    public async ValueTask<bool> MoveNextAsync(int choice, IAsyncEnumerator<CompletionDelta> deltas)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        bool moved;
        try
        {
            moved = await deltas.MoveNextAsync();
        }
        catch (Exception exception)
        {
            End(ErrorTypeOf(exception));
            throw;
        }

        if (moved && deltas.Current.Finish is { } finish)
        {
            Finish(choice, finish);
        }

        return moved;
    }

    /// <summary>Ends the request with <paramref name="exception"/>: the engine refused it before any choice ran.</summary>
    public void Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        End(ErrorTypeOf(exception));
    }

    /// <summary>Ends a request that stopped without finish or failure (its consumer went away) as canceled.</summary>
    public void Dispose() => End(GenAiAttributes.Canceled);

    /// <summary>The <c>error.type</c> of a failure: the OpenAI error type when it has one, else the exception's type.</summary>
    internal static string ErrorTypeOf(Exception exception) => exception switch
    {
        ApiErrorException api => api.Error.Type,
        OperationCanceledException => GenAiAttributes.Canceled,
        _ => exception.GetType().FullName ?? exception.GetType().Name,
    };

    private void Finish(int choice, FinishReason finish)
    {
        lock (_lock)
        {
            if (_finishes[choice] is null)
            {
                _finishes[choice] = finish;
                _finished++;
            }

            if (_finished == _finishes.Length)
            {
                End(null);
            }
        }
    }

    /// <summary>Ends the request: with <paramref name="errorType"/> null, every choice finished. Only the first call counts.</summary>
    private void End(string? errorType)
    {
        lock (_lock)
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            long now = Stopwatch.GetTimestamp();
            double duration = Stopwatch.GetElapsedTime(_started, now).TotalSeconds;
            TagList tags = _tags;
            if (errorType is not null)
            {
                tags.Add(GenAiAttributes.ErrorType, errorType);
            }

            ServerMetrics.RequestDuration.Record(duration, tags);
            bool admitted = _firstBlock != 0 || _steps.Any(steps => steps > 0);
            int outputTokens = _outputTokens.Sum();
            if (admitted)
            {
                RecordTokens(GenAiAttributes.InputTokenType, _inputTokens);
            }

            RecordTokens(GenAiAttributes.OutputTokenType, outputTokens);
            if (errorType is null && _firstBlock != 0)
            {
                double firstToken = Stopwatch.GetElapsedTime(_started, _firstBlock).TotalSeconds;
                ServerMetrics.TimeToFirstToken.Record(firstToken, _tags);
                // A first block brings many tokens at once (the time to first token), so the time per token is that of
                // the tokens after it; an answer that came whole in one block has none to time. Choices stream side by
                // side: a request's time per token is that of its mean choice.
                double laterTokensPerChoice = (double)(outputTokens - _firstBlockTokens.Sum(tokens => tokens ?? 0)) / _outputTokens.Length;
                if (laterTokensPerChoice >= 1)
                {
                    ServerMetrics.TimePerOutputToken.Record((duration - firstToken) / laterTokensPerChoice, _tags);
                }

                int steps = _steps.Sum();
                if (steps > 0)
                {
                    // Per sequence: n choices denoise side by side, each committing its own tokens a step.
                    ServerMetrics.TokensPerStep.Record((double)outputTokens / steps, _tags);
                }
            }

            EndActivity(errorType, admitted, outputTokens);
        }
    }

    private void RecordTokens(string type, int count)
    {
        if (count <= 0)
        {
            return;
        }

        TagList tags = _tags;
        tags.Add(GenAiAttributes.TokenType, type);
        ServerMetrics.Tokens.Add(count, tags);
    }

    private void EndActivity(string? errorType, bool admitted, int outputTokens)
    {
        if (_activity is null)
        {
            return;
        }

        if (_activity.IsAllDataRequested)
        {
            if (admitted)
            {
                _activity.SetTag(GenAiAttributes.UsageInputTokens, _inputTokens);
            }

            _activity.SetTag(GenAiAttributes.UsageOutputTokens, outputTokens);
            _activity.SetTag(GenAiAttributes.DiffusionSteps, _steps.Max());
            if (errorType is null)
            {
                _activity.SetTag(GenAiAttributes.ResponseFinishReasons, _finishes.Select(finish => FinishReasons.ToWire(finish!.Value)).ToArray());
            }

            if (errorType is not null)
            {
                _activity.SetTag(GenAiAttributes.ErrorType, errorType);
            }
        }

        if (errorType is not null)
        {
            _activity.SetStatus(ActivityStatusCode.Error, errorType);
        }

        _activity.Stop();
        _activity.Dispose();
    }
}
