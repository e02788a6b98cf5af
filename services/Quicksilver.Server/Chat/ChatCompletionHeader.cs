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

    /// <summary>The whole answer of a non-streamed request.</summary>
    public ChatCompletion Complete(string content, FinishReason finish, int promptTokens, int completionTokens) =>
        new(Id, ChatCompletion.ObjectName, Created, Model,
            [new ChatCompletionChoice(0, new ChatCompletionMessage(ChatRoles.Assistant, content), null, FinishReasons.ToWire(finish))],
            Usage(promptTokens, completionTokens));

    /// <summary>The stream's first chunk: the role, with empty content (as vLLM sends it).</summary>
    public ChatCompletionChunk RoleChunk() => Chunk(new ChatCompletionDelta(ChatRoles.Assistant, string.Empty), null);

    /// <summary>A stream chunk with new text; the last one carries the finish reason and no content when it has none.</summary>
    public ChatCompletionChunk Chunk(CompletionDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        string? finish = delta.Finish is { } reason ? FinishReasons.ToWire(reason) : null;
        return Chunk(new ChatCompletionDelta(null, delta.Text.Length > 0 || finish is null ? delta.Text : null), finish);
    }

    /// <summary>The stream's usage chunk (<c>stream_options.include_usage</c>): no choices.</summary>
    public ChatCompletionChunk UsageChunk(int promptTokens, int completionTokens) =>
        new(Id, ChatCompletionChunk.ObjectName, Created, Model, [], Usage(promptTokens, completionTokens));

    private ChatCompletionChunk Chunk(ChatCompletionDelta delta, string? finish) =>
        new(Id, ChatCompletionChunk.ObjectName, Created, Model, [new ChatCompletionChunkChoice(0, delta, null, finish)], null);

    private static CompletionUsage Usage(int promptTokens, int completionTokens) =>
        new(promptTokens, completionTokens, promptTokens + completionTokens);
}
