using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Completions;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Chat;

/// <summary>
/// What a choice's text says as a chat message: the text, or, when the model was offered tools and called some, the
/// calls and the text before them (<see cref="HermesToolCalls"/>); with <c>parallel_tool_calls: false</c>, the first
/// call only. A choice that calls tools finishes with <c>tool_calls</c>.
/// </summary>
/// <param name="Content">The text; null when only calls of tools are made.</param>
/// <param name="ToolCalls">The calls, each with a new id; null when none.</param>
internal sealed record ChatAnswer(string? Content, IReadOnlyList<ToolCall>? ToolCalls)
{
    public static ChatAnswer Read(string text, ChatToolUse tools)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tools);
        if (!tools.Active)
        {
            return new(text, null);
        }

        (string? content, IReadOnlyList<ToolCallFunction> calls) = HermesToolCalls.Read(text);
        return calls.Count == 0
            ? new(text, null)
            : new(content, [.. calls.Take(tools.Parallel ? calls.Count : 1).Select(ToolCall.Of)]);
    }

    /// <summary>The wire's finish reason: <c>tool_calls</c> when the answer calls tools, else the engine's.</summary>
    public string FinishReason(FinishReason finish) => ToolCalls is null ? FinishReasons.ToWire(finish) : "tool_calls";
}
