namespace Quicksilver.Server.Wire;

/// <summary>One generated answer of a chat completion.</summary>
/// <param name="Index">Position of the choice, 0 to <c>n</c> − 1.</param>
/// <param name="Message">The assistant's message.</param>
/// <param name="Logprobs">The answer tokens' log-probabilities with <c>logprobs: true</c>; else null.</param>
/// <param name="FinishReason">
/// <c>stop</c> (end-of-turn or end-of-sequence token, or a stop sequence) or <c>length</c>
/// (<c>max_completion_tokens</c> reached).
/// </param>
internal sealed record ChatCompletionChoice(int Index, ChatCompletionMessage Message, ChatLogprobs? Logprobs, string FinishReason);
