namespace Quicksilver.Server.Completions;

/// <summary>
/// The answer tokens behind some text, as the engine scored them: each token decoded on its own, its log-probability,
/// its character offset, and with <c>top_logprobs</c> the alternatives at its position. Both wire shapes are made from
/// it (<see cref="Wire.CompletionLogprobs.From"/>, <see cref="Wire.ChatLogprobs.From"/>).
/// </summary>
/// <param name="Tokens">Each token, decoded on its own (a token holding part of a UTF-8 character shows U+FFFD).</param>
/// <param name="Logprobs">Their log-probabilities.</param>
/// <param name="TextOffsets">Character offset of each token in the choice's text.</param>
/// <param name="Alternatives">Per token, the most likely tokens at its position, most likely first; null when not asked for.</param>
internal sealed record AnswerLogprobs(
    IReadOnlyList<string> Tokens,
    IReadOnlyList<float> Logprobs,
    IReadOnlyList<int> TextOffsets,
    IReadOnlyList<IReadOnlyList<TokenAlternative>>? Alternatives)
{
    /// <summary>The parts one after another (the deltas of one choice).</summary>
    public static AnswerLogprobs Concat(IReadOnlyList<AnswerLogprobs> parts) => new(
        [.. parts.SelectMany(p => p.Tokens)],
        [.. parts.SelectMany(p => p.Logprobs)],
        [.. parts.SelectMany(p => p.TextOffsets)],
        parts.Count > 0 && parts[0].Alternatives is not null ? [.. parts.SelectMany(p => p.Alternatives!)] : null);
}

/// <summary>One of the most likely tokens at an answer position (OpenAI's <c>top_logprobs</c> entries).</summary>
/// <param name="Token">The token, decoded on its own.</param>
/// <param name="Logprob">Its log-probability under the distribution of the step that unmasked the position.</param>
internal readonly record struct TokenAlternative(string Token, float Logprob);
