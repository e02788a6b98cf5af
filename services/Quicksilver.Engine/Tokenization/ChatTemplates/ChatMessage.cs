namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>One turn of a conversation, as a chat template renders it.</summary>
/// <param name="Role">Who speaks: <c>system</c>, <c>user</c>, <c>assistant</c> or <c>tool</c> (see <see cref="ChatRoles"/>).</param>
/// <param name="Content">What was said, as plain text.</param>
/// <param name="Name">The speaker's name (OpenAI's <c>name</c>), given to the template as <c>message.name</c>; null when not sent.</param>
/// <param name="ToolCalls">An assistant turn's calls of tools, given to the template as <c>message.tool_calls</c>; null when none.</param>
/// <param name="ToolCallId">A tool turn's answer to which call (<c>message.tool_call_id</c>); null when not sent.</param>
public sealed record ChatMessage(string Role, string Content, string? Name = null, IReadOnlyList<ChatToolCall>? ToolCalls = null, string? ToolCallId = null);
