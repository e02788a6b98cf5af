using System.Text;
using Quicksilver.Server.Completions;

namespace Quicksilver.Server.Wire;

/// <summary>
/// A chat choice's (or stream chunk's) <c>logprobs</c> object: one entry per answer token. As for completions
/// (<see cref="CompletionLogprobs"/>), a diffusion model scores each position once, at the denoising step that unmasks
/// it; with <c>top_logprobs</c> each entry lists that many of the most likely tokens there.
/// </summary>
/// <param name="Content">The tokens, in answer order.</param>
/// <param name="Refusal">Always null: the model has no refusal channel.</param>
internal sealed record ChatLogprobs(IReadOnlyList<ChatTokenLogprob> Content, IReadOnlyList<ChatTokenLogprob>? Refusal)
{
    /// <summary>The tokens of <paramref name="logprobs"/> in the chat shape; null stays null (not asked for).</summary>
    public static ChatLogprobs? From(AnswerLogprobs? logprobs) => logprobs is null ? null : new(
        [.. logprobs.Tokens.Select((token, i) => new ChatTokenLogprob(
            token,
            logprobs.Logprobs[i],
            Utf8(token),
            logprobs.Alternatives is { } alternatives ? [.. alternatives[i].Select(a => new ChatTopLogprob(a.Token, a.Logprob, Utf8(a.Token)))] : []))],
        null);

    private static int[] Utf8(string token) => [.. Encoding.UTF8.GetBytes(token)];
}

/// <summary>One answer token of <see cref="ChatLogprobs"/>.</summary>
/// <param name="Token">The token, decoded on its own (a token holding part of a UTF-8 character shows U+FFFD).</param>
/// <param name="Logprob"><c>log p(token)</c> under the distribution of the step that unmasked it.</param>
/// <param name="Bytes">The UTF-8 bytes of <paramref name="Token"/> (vLLM's convention, so U+FFFD's bytes for a partial character).</param>
/// <param name="TopLogprobs">The <c>top_logprobs</c> most likely tokens at its position, most likely first; empty with <c>top_logprobs: 0</c>.</param>
internal sealed record ChatTokenLogprob(string Token, float Logprob, IReadOnlyList<int> Bytes, IReadOnlyList<ChatTopLogprob> TopLogprobs);

/// <summary>One of the most likely tokens at an answer position (<see cref="ChatTokenLogprob.TopLogprobs"/>).</summary>
/// <param name="Token">The token, decoded on its own.</param>
/// <param name="Logprob">Its log-probability under the same distribution as the chosen token's.</param>
/// <param name="Bytes">The UTF-8 bytes of <paramref name="Token"/>.</param>
internal sealed record ChatTopLogprob(string Token, float Logprob, IReadOnlyList<int> Bytes);
