using Quicksilver.Server.Completions;

namespace Quicksilver.Server.Wire;

/// <summary>
/// The legacy completions <c>logprobs</c> object. For a diffusion model a token's log-probability is
/// <c>log p(token)</c> under the un-noised distribution at the denoising step that unmasked it (each position is scored
/// once, when committed; later steps never revisit it). With <c>logprobs: N</c> above 0, <c>top_logprobs</c> maps the
/// N most likely tokens at each position, under that same distribution, to their log-probabilities.
/// </summary>
/// <param name="Tokens">Each answer token, decoded on its own (a token holding part of a UTF-8 character shows U+FFFD).</param>
/// <param name="TokenLogprobs">Their log-probabilities.</param>
/// <param name="TopLogprobs">
/// One object per token, most likely first (two tokens that decode to the same text keep the likelier); null with
/// <c>logprobs: 0</c>.
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
        logprobs.Alternatives?.Select(ByText).ToList(),
        logprobs.TextOffsets);

    private static IReadOnlyDictionary<string, float> ByText(IReadOnlyList<TokenAlternative> alternatives)
    {
        var byText = new Dictionary<string, float>(alternatives.Count, StringComparer.Ordinal);
        foreach (TokenAlternative alternative in alternatives)
        {
            byText.TryAdd(alternative.Token, alternative.Logprob);
        }

        return byText;
    }
}
