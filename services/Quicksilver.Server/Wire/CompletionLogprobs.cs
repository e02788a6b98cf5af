using Quicksilver.Server.Completions;

namespace Quicksilver.Server.Wire;

/// <summary>
/// The legacy completions <c>logprobs</c> object. For a diffusion model a token's log-probability is
/// <c>log p(token)</c> under the un-noised distribution at the denoising step that unmasked it (each position is scored
/// once, when committed; later steps never revisit it). With <c>logprobs: N</c> above 0, <c>top_logprobs</c> maps the
/// N most likely tokens at each position, under that same distribution, to their log-probabilities, and the sampled
/// token too when it is not among them (OpenAI's rule: up to N + 1 entries).
/// </summary>
/// <param name="Tokens">Each answer token, decoded on its own (a token holding part of a UTF-8 character shows U+FFFD).</param>
/// <param name="TokenLogprobs">Their log-probabilities.</param>
/// <param name="TopLogprobs">
/// One object per token, most likely first, the sampled token last when it is not among them (two tokens that decode
/// to the same text keep the likelier); null with <c>logprobs: 0</c>.
/// </param>
/// <param name="TextOffset">Character offset of each token in the choice's text (after the prompt, with <c>echo</c>).</param>
internal sealed record CompletionLogprobs(
    IReadOnlyList<string> Tokens,
    IReadOnlyList<float> TokenLogprobs,
    IReadOnlyList<IReadOnlyDictionary<string, float>>? TopLogprobs,
    IReadOnlyList<int> TextOffset)
{
    /// <summary>The completions shape of <paramref name="logprobs"/>; null stays null (not asked for).</summary>
    public static CompletionLogprobs? From(AnswerLogprobs? logprobs) => logprobs is null ? null : new(
        logprobs.Tokens,
        logprobs.Logprobs,
        logprobs.Alternatives?.Select((alternatives, i) => ByText(alternatives, new TokenAlternative(logprobs.Tokens[i], logprobs.Logprobs[i]))).ToList(),
        logprobs.TextOffsets);

    private static Dictionary<string, float> ByText(IReadOnlyList<TokenAlternative> alternatives, TokenAlternative sampled)
    {
        var byText = new Dictionary<string, float>(alternatives.Count + 1, StringComparer.Ordinal);
        foreach (TokenAlternative alternative in alternatives)
        {
            byText.TryAdd(alternative.Token, alternative.Logprob);
        }

        byText.TryAdd(sampled.Token, sampled.Logprob);
        return byText;
    }
}
