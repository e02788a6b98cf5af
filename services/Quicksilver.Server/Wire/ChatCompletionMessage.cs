using System.Text.Json.Serialization;

namespace Quicksilver.Server.Wire;

/// <summary>The message a chat completion answers with.</summary>
/// <param name="Role">Always <c>assistant</c>.</param>
/// <param name="Content">The generated text; null when the answer is only calls of tools.</param>
/// <param name="ToolCalls">The calls of tools the answer makes; absent when none.</param>
internal sealed record ChatCompletionMessage(
    string Role,
    string? Content,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ToolCall>? ToolCalls = null);
