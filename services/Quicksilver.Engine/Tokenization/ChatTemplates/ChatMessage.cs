namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>One turn of a conversation, as a chat template renders it.</summary>
/// <param name="Role">Who speaks: <c>system</c>, <c>user</c> or <c>assistant</c> (see <see cref="ChatRoles"/>).</param>
/// <param name="Content">What was said, as plain text.</param>
public sealed record ChatMessage(string Role, string Content);
