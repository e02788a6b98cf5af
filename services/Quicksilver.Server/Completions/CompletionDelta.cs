using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Server.Completions;

/// <summary>New answer text, and on the last delta why the answer ended.</summary>
/// <param name="Text">Text new since the previous delta (empty only on the last one).</param>
/// <param name="Finish">Set on the last delta only.</param>
/// <param name="Logprobs">The tokens behind <paramref name="Text"/> and their log-probabilities, when requested.</param>
internal sealed record CompletionDelta(string Text, FinishReason? Finish, AnswerLogprobs? Logprobs = null);
