using System.Text.Json;

namespace Quicksilver.Server.Wire;

/// <summary>
/// The body of <c>POST /v1/completions</c> as documented in the OpenAPI document. The server parses the body itself
/// (<see cref="Completions.CompletionRequestParser"/>) so that every mistake gets an OpenAI-shaped 400 naming the field;
/// this type only describes it. Unknown fields are accepted and ignored, but fields of OpenAI's or vLLM's this server
/// does not implement are a 400 when set to a value with an effect (<see cref="Completions.UnsupportedFields"/>).
/// </summary>
internal sealed record CompletionRequestDocument : GenerationRequestDocument
{
    /// <summary>
    /// The prompt: a string, an array with one string, an array of token ids (each in [0, vocabulary size)), or an
    /// array with one array of token ids. Must not be empty. Batches of several prompts are not supported yet.
    /// </summary>
    public required JsonElement Prompt { get; init; }

    /// <summary>
    /// Largest number of tokens to generate: the size of the masked canvas appended to the prompt. Default 16
    /// (lowered to what the context has room for when not given); at least 1, at most the server's limit; prompt +
    /// <c>max_tokens</c> must fit in the model's context.
    /// </summary>
    public int? MaxTokens { get; init; }

    /// <summary>
    /// Stream the answer as server-sent events (<c>data: {chunk}</c> per finalised block of the canvas, then
    /// <c>data: [DONE]</c>).
    /// </summary>
    public bool? Stream { get; init; }

    /// <summary>Start each choice's text with the prompt (streamed: in the choice's first chunk).</summary>
    public bool? Echo { get; init; }

    /// <summary>
    /// (vLLM's extension) Whether a text prompt gets the special tokens its tokenizer adds, such as a BOS; default
    /// true. A prompt of token ids is taken as it is either way.
    /// </summary>
    public bool? AddSpecialTokens { get; init; }

    /// <summary>
    /// In [0, 5]: report each answer token's log-probability, <c>log p(token)</c> under the un-noised distribution at
    /// the denoising step that unmasked it, with text offsets, and (above 0) in <c>top_logprobs</c> that many of the most
    /// likely tokens at its position under the same distribution.
    /// </summary>
    public int? Logprobs { get; init; }

    /// <summary>
    /// Text after the completion, to fill in the middle: the canvas is prompt, <c>max_tokens</c> masks, suffix, and every
    /// denoising step attends to the suffix (a diffusion model sees both sides). The answer is the middle only; the
    /// suffix's tokens count in <c>usage.prompt_tokens</c>. Bidirectional models only (400 on a block-causal one).
    /// </summary>
    public string? Suffix { get; init; }

    /// <summary>
    /// Answers to generate (at least <c>n</c>, default <c>n</c>, at most the server's <c>MaxChoices</c>), of which the
    /// <c>n</c> with the highest mean token log-probability are returned; usage counts every one. Above <c>n</c> it
    /// cannot be streamed.
    /// </summary>
    public int? BestOf { get; init; }

    /// <summary>vLLM's structured output: <c>{"type": "text"}</c> (default) or <c>{"type": "json_object"}</c> (one JSON object).</summary>
    public JsonElement? ResponseFormat { get; init; }
}
