using System.Text;

namespace Quicksilver.Server.Wire;

/// <summary>
/// A chat choice's (or stream chunk's) <c>logprobs</c> object: one entry per answer token. As for completions
/// (<see cref="CompletionLogprobs"/>), a diffusion model scores each position once, at the denoising step that unmasks
/// it, and reports no alternatives.
/// </summary>
/// <param name="Content">The tokens, in answer order.</param>
/// <param name="Refusal">Always null: the model has no refusal channel.</param>
internal sealed record ChatLogprobs(IReadOnlyList<ChatTokenLogprob> Content, IReadOnlyList<ChatTokenLogprob>? Refusal)
{
    /// <summary>The tokens of <paramref name="logprobs"/> in the chat shape; null stays null (not asked for).</summary>
    public static ChatLogprobs? From(CompletionLogprobs? logprobs) => logprobs is null ? null : new(
        [.. logprobs.Tokens.Select((token, i) => new ChatTokenLogprob(token, logprobs.TokenLogprobs[i], [.. Encoding.UTF8.GetBytes(token)], []))],
        null);
}

/// <summary>One answer token of <see cref="ChatLogprobs"/>.</summary>
/// <param name="Token">The token, decoded on its own (a token holding part of a UTF-8 character shows U+FFFD).</param>
/// <param name="Logprob"><c>log p(token)</c> under the distribution of the step that unmasked it.</param>
/// <param name="Bytes">The UTF-8 bytes of <paramref name="Token"/> (vLLM's convention, so U+FFFD's bytes for a partial character).</param>
/// <param name="TopLogprobs">Always empty: the engine reports no alternatives (<c>top_logprobs</c> must be 0).</param>
internal sealed record ChatTokenLogprob(string Token, float Logprob, IReadOnlyList<int> Bytes, IReadOnlyList<ChatTokenLogprob> TopLogprobs);
