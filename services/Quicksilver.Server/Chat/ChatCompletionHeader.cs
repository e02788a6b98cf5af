using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tokenization.ChatTemplates;
using Quicksilver.Server.Completions;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Chat;

/// <summary>What every chunk of one chat completion shares: its id, creation time and model.</summary>
/// <param name="Id">The chat completion id (<c>chatcmpl-…</c>).</param>
/// <param name="Created">Unix time in seconds.</param>
/// <param name="Model">The model id.</param>
internal sealed record ChatCompletionHeader(string Id, long Created, string Model)
{
    public static ChatCompletionHeader Create(string model, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return new($"chatcmpl-{Guid.NewGuid():N}", time.GetUtcNow().ToUnixTimeSeconds(), model);
    }

    /// <summary>The whole answer of a non-streamed request: one choice per answer, in order.</summary>
    public ChatCompletion Complete(IReadOnlyList<(string Content, FinishReason Finish, ChatLogprobs? Logprobs)> choices, CompletionUsage usage) =>
        new(Id, ChatCompletion.ObjectName, Created, Model,
            [.. choices.Select((choice, index) => new ChatCompletionChoice(
                index, new ChatCompletionMessage(ChatRoles.Assistant, choice.Content), choice.Logprobs, FinishReasons.ToWire(choice.Finish)))],
            usage);

    /// <summary>A choice's first chunk: the role, with empty content (as vLLM sends it).</summary>
    public ChatCompletionChunk RoleChunk(int index) => Chunk(index, new ChatCompletionDelta { Role = ChatRoles.Assistant, Content = string.Empty }, null, null);

    /// <summary>
    /// A stream chunk with new text (and, with <c>logprobs</c>, its tokens'); a choice's last one carries the finish
    /// reason, and no content when it has none.
    /// </summary>
    public ChatCompletionChunk Chunk(int index, CompletionDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        string? finish = delta.Finish is { } reason ? FinishReasons.ToWire(reason) : null;
        return Chunk(index, new ChatCompletionDelta { Content = delta.Text.Length > 0 || finish is null ? delta.Text : null }, ChatLogprobs.From(delta.Logprobs), finish);
    }

    /// <summary>The stream's usage chunk (<c>stream_options.include_usage</c>): no choices.</summary>
    public ChatCompletionChunk UsageChunk(CompletionUsage usage) => new(Id, ChatCompletionChunk.ObjectName, Created, Model, [], usage);

    private ChatCompletionChunk Chunk(int index, ChatCompletionDelta delta, ChatLogprobs? logprobs, string? finish) =>
        new(Id, ChatCompletionChunk.ObjectName, Created, Model, [new ChatCompletionChunkChoice(index, delta, logprobs, finish)], null);
}
