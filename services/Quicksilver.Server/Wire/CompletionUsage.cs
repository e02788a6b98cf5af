namespace Quicksilver.Server.Wire;

/// <summary>Token counts of a completion.</summary>
/// <param name="PromptTokens">Tokens in the prompt.</param>
/// <param name="CompletionTokens">Answer tokens the engine finalised (up to the end-of-sequence token).</param>
/// <param name="TotalTokens">The sum of both.</param>
internal sealed record CompletionUsage(int PromptTokens, int CompletionTokens, int TotalTokens);
