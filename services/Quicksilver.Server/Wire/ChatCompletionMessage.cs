namespace Quicksilver.Server.Wire;

/// <summary>The message a chat completion answers with.</summary>
/// <param name="Role">Always <c>assistant</c>.</param>
/// <param name="Content">The generated text.</param>
internal sealed record ChatCompletionMessage(string Role, string Content);
