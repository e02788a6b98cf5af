namespace Quicksilver.Server.Wire;

/// <summary>
/// The legacy completions <c>logprobs</c> object. For a diffusion model a token's log-probability is
/// <c>log p(token)</c> under the un-noised distribution at the denoising step that unmasked it (each position is scored
/// once, when committed; later steps never revisit it). <c>top_logprobs</c> is null: the engine does not report
/// alternatives.
/// </summary>
/// <param name="Tokens">Each answer token, decoded on its own (a token holding part of a UTF-8 character shows U+FFFD).</param>
/// <param name="TokenLogprobs">Their log-probabilities.</param>
/// <param name="TopLogprobs">Always null.</param>
/// <param name="TextOffset">Character offset of each token in the choice's text (after the prompt, with <c>echo</c>).</param>
internal sealed record CompletionLogprobs(
    IReadOnlyList<string> Tokens,
    IReadOnlyList<float> TokenLogprobs,
    IReadOnlyList<object>? TopLogprobs,
    IReadOnlyList<int> TextOffset);
