using System.Diagnostics;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Completions;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Telemetry;

/// <summary>
/// The trace and GenAI metrics of one generation, kept by <see cref="CompletionRun"/> (the loop every endpoint goes
/// through): an activity <c>{operation} {model}</c> from source <c>Quicksilver.Server</c>, and on its end one
/// measurement of each <see cref="ServerMetrics"/> instrument. Records sizes, settings and timings, never text.
/// </summary>
internal sealed class RequestTelemetry : IDisposable
{
    private readonly Activity? _activity;
    private readonly TagList _tags;
    private readonly int _inputTokens;
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _firstBlock;
    private int _outputTokens;
    private int _steps;
    private bool _ended;

    private RequestTelemetry(string operation, string model, GenerationRequest request, bool countsPromptTokens)
    {
        _inputTokens = countsPromptTokens ? request.InputTokenCount : 0;
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
            if (request.Seed is { } seed)
            {
                _activity.SetTag(GenAiAttributes.RequestSeed, seed);
            }
        }
    }

    /// <summary>Starts the span and the clock of one generation.</summary>
    /// <param name="operation">See <see cref="GenAiOperations"/>.</param>
    /// <param name="model">The served model's id (request and response model).</param>
    /// <param name="request">What the engine is asked to generate.</param>
    /// <param name="countsPromptTokens">False for the extra choices of an <c>n &gt; 1</c> request, whose prompt counts once.</param>
    public static RequestTelemetry Start(string operation, string model, GenerationRequest request, bool countsPromptTokens = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentNullException.ThrowIfNull(request);
        return new RequestTelemetry(operation, model, request, countsPromptTokens);
    }

    /// <summary>Notes one update of the engine: the first one is the first finalised block (time to first token).</summary>
    public void Record(GenerationUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (_firstBlock == 0)
        {
            _firstBlock = Stopwatch.GetTimestamp();
        }

        _outputTokens += update.Tokens.Count;
        _steps = Math.Max(_steps, update.Steps);
    }

    /// <summary>
    /// Sets the answer's output tokens to <paramref name="count"/>, its usage's: a stop sequence ended it inside a
    /// finalised block, or it ended at its end token, which the updates' tokens leave out.
    /// </summary>
    public void CountOutputTokens(int count) => _outputTokens = count;

    /// <summary>
    /// Advances <paramref name="deltas"/>, ending the telemetry when the delta with the finish reason arrives (success)
    /// or when the enumerator throws (failure, then rethrown as is).
    /// </summary>
    public async ValueTask<bool> MoveNextAsync(IAsyncEnumerator<CompletionDelta> deltas)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        bool moved;
        try
        {
            moved = await deltas.MoveNextAsync();
        }
        catch (Exception exception)
        {
            End(null, ErrorTypeOf(exception));
            throw;
        }

        if (moved && deltas.Current.Finish is { } finish)
        {
            End(finish, null);
        }

        return moved;
    }

    /// <summary>Ends a generation that stopped without finish or failure (its consumer went away) as canceled.</summary>
    public void Dispose() => End(null, GenAiAttributes.Canceled);

    /// <summary>The <c>error.type</c> of a failure: the OpenAI error type when it has one, else the exception's type.</summary>
    internal static string ErrorTypeOf(Exception exception) => exception switch
    {
        ApiErrorException api => api.Error.Type,
        OperationCanceledException => GenAiAttributes.Canceled,
        _ => exception.GetType().FullName ?? exception.GetType().Name,
    };

    private void End(FinishReason? finish, string? errorType)
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
        bool admitted = _firstBlock != 0;
        if (admitted)
        {
            RecordTokens(GenAiAttributes.InputTokenType, _inputTokens);
        }

        RecordTokens(GenAiAttributes.OutputTokenType, _outputTokens);
        if (finish is not null && admitted)
        {
            double firstToken = Stopwatch.GetElapsedTime(_started, _firstBlock).TotalSeconds;
            ServerMetrics.TimeToFirstToken.Record(firstToken, _tags);
            if (_outputTokens > 1)
            {
                ServerMetrics.TimePerOutputToken.Record((duration - firstToken) / (_outputTokens - 1), _tags);
            }

            if (_steps > 0)
            {
                ServerMetrics.TokensPerStep.Record((double)_outputTokens / _steps, _tags);
            }
        }

        EndActivity(finish, errorType, admitted);
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

    private void EndActivity(FinishReason? finish, string? errorType, bool admitted)
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

            _activity.SetTag(GenAiAttributes.UsageOutputTokens, _outputTokens);
            _activity.SetTag(GenAiAttributes.DiffusionSteps, _steps);
            if (finish is { } reason)
            {
                _activity.SetTag(GenAiAttributes.ResponseFinishReasons, new[] { FinishReasons.ToWire(reason) });
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
