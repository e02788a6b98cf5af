using System.Text;
using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Server.Completions;

/// <summary>One choice of a non-streamed completion, put together from its deltas.</summary>
internal sealed class ChoiceAnswer(string? echo)
{
    private readonly StringBuilder _text = new(echo);
    private readonly List<AnswerLogprobs> _logprobs = [];
    private FinishReason? _finish;

    public void Add(CompletionDelta delta)
    {
        _text.Append(delta.Text);
        _finish = delta.Finish ?? _finish;
        if (delta.Logprobs is { } logprobs)
        {
            _logprobs.Add(logprobs);
        }
    }

    public (string Text, FinishReason Finish, AnswerLogprobs? Logprobs) Result() => (
        _text.ToString(),
        _finish ?? throw new InvalidOperationException("A choice ended without a finish reason."),
        _logprobs.Count == 0 ? null : AnswerLogprobs.Concat(_logprobs));
}
