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
    public ChatCompletion Complete(IReadOnlyList<(ChatAnswer Answer, FinishReason Finish, ChatLogprobs? Logprobs)> choices, CompletionUsage usage) =>
        new(Id, ChatCompletion.ObjectName, Created, Model,
            [.. choices.Select((choice, index) => new ChatCompletionChoice(
                index,
                new ChatCompletionMessage(ChatRoles.Assistant, choice.Answer.Content, choice.Answer.ToolCalls),
                choice.Logprobs,
                choice.Answer.FinishReason(choice.Finish)))],
            usage);

    /// <summary>A choice's first chunk: the role, with empty content (as vLLM sends it).</summary>
    public ChatCompletionChunk RoleChunk(int index) => Chunk(index, new ChatCompletionDelta { Role = ChatRoles.Assistant, Content = string.Empty }, null, null);

    /// <summary>
    /// A stream chunk with new text (and, with <c>logprobs</c>, its tokens'); a choice's last one carries the finish
    /// reason, no content when it has none, and the calls of tools the choice makes when it was offered
    /// <paramref name="tools"/> (their text is held back until then: <see cref="Completions.TextHoldback"/>).
    /// </summary>
    public ChatCompletionChunk Chunk(int index, CompletionDelta delta, ChatToolUse tools)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (delta.Finish is not { } finish)
        {
            return Chunk(index, new ChatCompletionDelta { Content = delta.Text }, ChatLogprobs.From(delta.Logprobs), null);
        }

        ChatAnswer answer = ChatAnswer.Read(delta.Text, tools);
        // The text before the calls as it is, whitespace too: what came before it in earlier chunks went as it was.
        string? content = answer.ToolCalls is null ? answer.Content : delta.Text[..delta.Text.IndexOf(HermesToolCalls.Open, StringComparison.Ordinal)];
        var last = new ChatCompletionDelta
        {
            Content = content is { Length: > 0 } ? content : null,
            ToolCalls = answer.ToolCalls?.Select((call, i) => new ToolCallDelta(i, call.Id, call.Type, call.Function)).ToList(),
        };
        return Chunk(index, last, ChatLogprobs.From(delta.Logprobs), answer.FinishReason(finish));
    }

    /// <summary>The stream's usage chunk (<c>stream_options.include_usage</c>): no choices.</summary>
    public ChatCompletionChunk UsageChunk(CompletionUsage usage) => new(Id, ChatCompletionChunk.ObjectName, Created, Model, [], usage);

    private ChatCompletionChunk Chunk(int index, ChatCompletionDelta delta, ChatLogprobs? logprobs, string? finish) =>
        new(Id, ChatCompletionChunk.ObjectName, Created, Model, [new ChatCompletionChunkChoice(index, delta, logprobs, finish)], null);
}
