namespace Quicksilver.Server.Wire;

/// <summary>The answer of <c>POST /tokenize</c> (vLLM's).</summary>
/// <param name="Count">How many ids the prompt has.</param>
/// <param name="MaxModelLen">The model's context length: the prompt and the answer's <c>max_tokens</c> must fit in it.</param>
/// <param name="Tokens">The prompt's ids, as a completion or chat completion of the same prompt would see them.</param>
/// <param name="TokenStrs">
/// With <c>return_token_strs</c>, each id's text: the id decoded alone, special tokens kept (as a completion's
/// <c>logprobs.tokens</c>; a byte of a character split across ids is U+FFFD); null otherwise.
/// </param>
internal sealed record TokenizeResponse(int Count, int MaxModelLen, IReadOnlyList<int> Tokens, IReadOnlyList<string>? TokenStrs);
