using Quicksilver.Engine;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tokenization;
using Quicksilver.Server.Errors;
using Quicksilver.Server.Telemetry;

namespace Quicksilver.Server.Completions;

/// <summary>
/// One answer in the making: feeds the engine's finalised blocks through the detokenizer and the stop filter and
/// yields text deltas, the last one with the finish reason. Non-stream and stream answers both consume it. With a
/// <paramref name="logprobs"/> tracker it pairs the tokens with the text sent, and the deltas carry them when
/// <paramref name="reportsLogprobs"/> (a tracker that only ranks, for <c>best_of</c>, keeps them to itself). With
/// <paramref name="holdBackFrom"/>, the text from that marker on (a call of a tool) comes whole in the last delta.
/// </summary>
internal sealed class CompletionRun(ServedModel model, GenerationRequest request, IReadOnlyList<string> stop, TokenLogprobTracker? logprobs = null, bool reportsLogprobs = true, string? holdBackFrom = null)
{
    private double _sentLogprobSum;
    private int _sentTokens;

    /// <summary>
    /// Answer tokens the engine has finalised so far (the completion's usage); once a stop sequence ends the answer,
    /// those through the end of the stop sequence: a block finalised past it holds tokens the answer never had. An
    /// answer that ends at its end token counts that token too.
    /// </summary>
    public int CompletionTokens { get; private set; }

    /// <summary>Device seconds the engine has charged this answer so far; settled once the run has ended.</summary>
    public double GpuSeconds { get; private set; }

    /// <summary>Forward passes the engine has run for this answer so far.</summary>
    public int DenoisingSteps { get; private set; }

    /// <summary>
    /// The mean log-probability of the answer tokens sent so far (those behind the text, so none past a stop
    /// sequence), −∞ while there are none: how <c>best_of</c> ranks candidates. Needs the run's tracker.
    /// </summary>
    public double MeanLogprob => _sentTokens == 0 ? double.NegativeInfinity : _sentLogprobSum / _sentTokens;

    /// <summary>
    /// What the engine is asked to generate: the request, and with stop sequences the engine's end-of-answer check. Its
    /// own detokenizer and stop filter, fed the same blocks as the answer's, stop on the very block this run stops on,
    /// so the engine lets go of the sequence before another step (the run's cancellation would reach it only after
    /// steps it still charged). One run, one engine sequence: the check keeps state.
    /// </summary>
    public GenerationRequest EngineRequest { get; } = request with { EndsAfterBlock = StopCheck(model, stop) };

    /// <summary>
    /// Turns the engine's <paramref name="updates"/> of <see cref="EngineRequest"/> into the answer's deltas, as choice
    /// <paramref name="choice"/> of the request <paramref name="telemetry"/> measures. <paramref name="generation"/>
    /// cancels the engine's sequence: the run cancels it as soon as a stop sequence ends the answer, or when its
    /// consumer stops reading before the end. Throws <see cref="ApiErrorException"/> (400 naming the field, 429 or 503)
    /// when the engine fails the sequence.
    /// </summary>
    public async IAsyncEnumerable<CompletionDelta> RunAsync(RequestTelemetry telemetry, int choice, IAsyncEnumerable<GenerationUpdate> updates, CancellationTokenSource generation)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(generation);
        await using IAsyncEnumerator<CompletionDelta> deltas = GenerateAsync(telemetry, choice, updates, generation).GetAsyncEnumerator();
        while (await telemetry.MoveNextAsync(choice, deltas))
        {
            yield return deltas.Current;
        }
    }

    private async IAsyncEnumerable<CompletionDelta> GenerateAsync(RequestTelemetry telemetry, int choice, IAsyncEnumerable<GenerationUpdate> engineUpdates, CancellationTokenSource generation)
    {
        var detokenizer = new IncrementalDetokenizer(model.Tokenizer);
        var stops = new StopSequenceFilter(stop);
        TextHoldback? holdback = holdBackFrom is null ? null : new TextHoldback(holdBackFrom);
        var answer = new List<int>();
        await using IAsyncEnumerator<GenerationUpdate> updates = engineUpdates.GetAsyncEnumerator();
        bool finished = false;
        bool anySent = false;
        try
        {
            while (await NextAsync(updates))
            {
                GenerationUpdate update = updates.Current;
                GpuSeconds = update.GpuSeconds;
                DenoisingSteps = update.Steps;
                telemetry.NoteSteps(choice, update.Steps);
                if (update.IsSettlement)
                {
                    // The engine let go of a cancelled sequence; the exception that ended it follows.
                    continue;
                }

                telemetry.Record(choice, update);
                answer.AddRange(update.Tokens);
                CompletionTokens = answer.Count;
                logprobs?.Add(update.Tokens, update.LogProbabilities, update.TopLogprobs);
                bool last = update.Finish is not null;
                string text = detokenizer.Append(update.Tokens);
                if (last)
                {
                    text += detokenizer.Flush();
                }

                string ready = stops.Push(text, last);
                if (holdback is not null)
                {
                    ready = holdback.Push(ready, final: last || stops.Stopped);
                }

                if (stops.Stopped)
                {
                    CompletionTokens = TokensThrough(answer, stops.StopEnd);
                    telemetry.CountOutputTokens(choice, CompletionTokens);

                    // The rest of the canvas is not needed: free the engine's slot now. Once the answer is out, wait for
                    // the engine to let go of the sequence: the device time it used until then is this answer's too.
                    await generation.CancelAsync();
                    yield return Delta(ready, FinishReason.Stop, last: false);
                    await SettleAsync(updates);
                    yield break;
                }

                if (last)
                {
                    if (update.EndedAtEndToken)
                    {
                        // The engine cut the answer at its end token (EOS, end of turn), which the model generated:
                        // counted, as vLLM counts it, though its text is not sent. (A constrained answer that ended
                        // where it was complete wrote none.)
                        CompletionTokens = answer.Count + 1;
                        telemetry.CountOutputTokens(choice, CompletionTokens);
                    }

                    finished = true;
                    yield return Delta(ready, update.Finish, last: true);
                    yield break;
                }

                // The first block is always announced, empty or not (its text held back, or not yet whole characters):
                // a stream's headers wait for it, and should not wait for the whole answer.
                if (ready.Length > 0 || !anySent)
                {
                    anySent = true;
                    yield return Delta(ready, null, last: false);
                }
            }

            throw new InvalidOperationException("The engine ended the sequence without a finish reason.");
        }
        finally
        {
            // An answer that did not finish (its consumer stopped reading early, whatever the reason) lets go of its
            // sequence at the engine's next step instead of leaving it to run on unread to max_tokens.
            if (!finished)
            {
                await generation.CancelAsync();
            }
        }
    }

    /// <summary>The delta of <paramref name="text"/>, with the tokens behind it when the run reports them.</summary>
    private CompletionDelta Delta(string text, FinishReason? finish, bool last)
    {
        AnswerLogprobs? sent = logprobs?.Release(text, last);
        if (sent is not null)
        {
            _sentLogprobSum += sent.Logprobs.Sum(lp => (double)lp);
            _sentTokens += sent.Tokens.Count;
        }

        return new CompletionDelta(text, finish, reportsLogprobs ? sent : null);
    }

    /// <summary>How many of <paramref name="answer"/>'s first tokens it takes to decode <paramref name="textLength"/> characters.</summary>
    private int TokensThrough(List<int> answer, int textLength)
    {
        var detokenizer = new IncrementalDetokenizer(model.Tokenizer);
        int decoded = 0;
        for (int count = 1; count <= answer.Count; count++)
        {
            decoded += detokenizer.Append([answer[count - 1]]).Length;
            if (decoded >= textLength)
            {
                return count;
            }
        }

        return answer.Count;
    }

    /// <summary>Reads what the engine still sends of a stopped sequence, to the end, for its settled device time.</summary>
    private async Task SettleAsync(IAsyncEnumerator<GenerationUpdate> updates)
    {
        try
        {
            while (await updates.MoveNextAsync())
            {
                GpuSeconds = updates.Current.GpuSeconds;
                DenoisingSteps = updates.Current.Steps;
            }
        }
#pragma warning disable CA1031 // The answer is complete: however the sequence ends now (cancelled, as asked), it only settles the time.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static Func<IReadOnlyList<int>, bool>? StopCheck(ServedModel model, IReadOnlyList<string> stop)
    {
        if (stop.Count == 0)
        {
            return null;
        }

        var detokenizer = new IncrementalDetokenizer(model.Tokenizer);
        var stops = new StopSequenceFilter(stop);
        return block =>
        {
            stops.Push(detokenizer.Append(block), final: false);
            return stops.Stopped;
        };
    }

    private static async ValueTask<bool> NextAsync(IAsyncEnumerator<GenerationUpdate> updates)
    {
        try
        {
            return await updates.MoveNextAsync();
        }
        catch (Exception exception) when (EngineErrors.ToApiError(exception) is { } error)
        {
            throw error;
        }
    }
}
