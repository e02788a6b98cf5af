namespace Quicksilver.Server.Wire;

/// <summary>One generated answer.</summary>
/// <param name="Index">Position of the prompt this answers (always 0 for now).</param>
/// <param name="Text">The generated text (in a stream: the text new in this chunk).</param>
/// <param name="Logprobs">With <c>logprobs: 0</c>, the answer tokens' log-probabilities (<see cref="CompletionLogprobs"/>); else null.</param>
/// <param name="FinishReason">
/// <c>stop</c> (end-of-sequence token or stop sequence), <c>length</c> (<c>max_tokens</c> reached), or null on
/// stream chunks before the last one of the choice.
/// </param>
internal sealed record CompletionChoice(int Index, string Text, CompletionLogprobs? Logprobs, string? FinishReason);
