using System.Runtime.CompilerServices;
using Quicksilver.Engine;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Completions;

/// <summary>
/// One answer in the making: feeds the engine's finalised blocks through the detokenizer and the stop filter and
/// yields text deltas, the last one with the finish reason. Non-stream and stream answers both consume it.
/// </summary>
internal sealed class CompletionRun(ServedModel model, GenerationRequest request, IReadOnlyList<string> stop)
{
    /// <summary>Answer tokens the engine has finalised so far (the completion's usage).</summary>
    public int CompletionTokens { get; private set; }

    /// <summary>
    /// Runs the generation. <paramref name="cancellationToken"/> (the request's abort token) reaches the engine; the
    /// engine is also told to stop as soon as a stop sequence ends the answer.
    /// Throws <see cref="ApiErrorException"/> (400) when the engine rejects the request.
    /// </summary>
    public async IAsyncEnumerable<CompletionDelta> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var generation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var detokenizer = new IncrementalDetokenizer(model.Tokenizer);
        var stops = new StopSequenceFilter(stop);
        await using IAsyncEnumerator<GenerationUpdate> updates = Start(generation.Token);
        while (await NextAsync(updates))
        {
            GenerationUpdate update = updates.Current;
            CompletionTokens += update.Tokens.Count;
            bool last = update.Finish is not null;
            string text = detokenizer.Append(update.Tokens);
            if (last)
            {
                text += detokenizer.Flush();
            }

            string ready = stops.Push(text, last);
            if (stops.Stopped)
            {
                // The rest of the canvas is not needed: free the engine's slot now.
                await generation.CancelAsync();
                yield return new CompletionDelta(ready, FinishReason.Stop);
                yield break;
            }

            if (last)
            {
                yield return new CompletionDelta(ready, update.Finish);
                yield break;
            }

            if (ready.Length > 0)
            {
                yield return new CompletionDelta(ready, null);
            }
        }

        throw new InvalidOperationException("The engine ended the sequence without a finish reason.");
    }

    private IAsyncEnumerator<GenerationUpdate> Start(CancellationToken cancellationToken)
    {
        try
        {
            return model.Engine.GenerateAsync(request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (ArgumentException exception)
        {
            throw Rejected(exception);
        }
    }

    private static async ValueTask<bool> NextAsync(IAsyncEnumerator<GenerationUpdate> updates)
    {
        try
        {
            return await updates.MoveNextAsync();
        }
        catch (ArgumentException exception)
        {
            throw Rejected(exception);
        }
    }

    // The engine's contract: ArgumentException means the model cannot take this request.
    private static ApiErrorException Rejected(ArgumentException exception) =>
        ApiErrorException.BadRequest(exception.Message, null);
}
