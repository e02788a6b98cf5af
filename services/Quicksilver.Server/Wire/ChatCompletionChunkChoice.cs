namespace Quicksilver.Server.Wire;

/// <summary>The part of one choice a stream chunk carries.</summary>
/// <param name="Index">Position of the choice, 0 to <c>n</c> − 1.</param>
/// <param name="Delta">What the message gained since the previous chunk.</param>
/// <param name="Logprobs">With <c>logprobs: true</c>, those of the tokens this chunk's text adds; else null.</param>
/// <param name="FinishReason"><c>stop</c> or <c>length</c> on the choice's last chunk; null before.</param>
internal sealed record ChatCompletionChunkChoice(int Index, ChatCompletionDelta Delta, ChatLogprobs? Logprobs, string? FinishReason);
