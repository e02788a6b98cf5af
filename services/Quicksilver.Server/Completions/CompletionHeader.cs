using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Completions;

/// <summary>What every chunk of one completion shares: its id, creation time and model.</summary>
/// <param name="Id">The completion id (<c>cmpl-…</c>).</param>
/// <param name="Created">Unix time in seconds.</param>
/// <param name="Model">The model id.</param>
internal sealed record CompletionHeader(string Id, long Created, string Model)
{
    public static CompletionHeader Create(string model, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return new($"cmpl-{Guid.NewGuid():N}", time.GetUtcNow().ToUnixTimeSeconds(), model);
    }

    /// <summary>The whole answer of a non-streamed request.</summary>
    public Completion Complete(IReadOnlyList<(string Text, FinishReason Finish, AnswerLogprobs? Logprobs)> choices, CompletionUsage usage) =>
        new(Id, Completion.ObjectName, Created, Model,
            [.. choices.Select((choice, index) => new CompletionChoice(index, choice.Text, CompletionLogprobs.From(choice.Logprobs), FinishReasons.ToWire(choice.Finish)))],
            usage);

    /// <summary>A stream chunk with new text; the last one carries the finish reason.</summary>
    public Completion Chunk(int index, string text, FinishReason? finish, AnswerLogprobs? logprobs) =>
        new(Id, Completion.ObjectName, Created, Model, [new CompletionChoice(index, text, CompletionLogprobs.From(logprobs), finish is { } reason ? FinishReasons.ToWire(reason) : null)], null);

    /// <summary>The stream's usage chunk (<c>stream_options.include_usage</c>): no choices.</summary>
    public Completion UsageChunk(CompletionUsage usage) => new(Id, Completion.ObjectName, Created, Model, [], usage);
}
