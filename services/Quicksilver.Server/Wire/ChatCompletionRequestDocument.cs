using System.Text.Json;

namespace Quicksilver.Server.Wire;

/// <summary>
/// The body of <c>POST /v1/chat/completions</c> as documented in the OpenAPI document. The server parses the body
/// itself (<see cref="Chat.ChatRequestParser"/>) so that every mistake gets an OpenAI-shaped 400 naming the field;
/// this type only describes it. Unknown fields are accepted and ignored, but fields of OpenAI's or vLLM's this server
/// does not implement are a 400 when set to a value with an effect (<see cref="Completions.UnsupportedFields"/>).
/// </summary>
internal sealed record ChatCompletionRequestDocument : GenerationRequestDocument
{
    /// <summary>
    /// The conversation, at least one message: <c>{"role", "content"}</c> with role <c>system</c>, <c>developer</c>
    /// (rendered as <c>system</c>), <c>user</c>, <c>assistant</c> (optionally with the <c>tool_calls</c> it made) or
    /// <c>tool</c> (a tool's answer, with the <c>tool_call_id</c> it answers), and content a string or an array of
    /// text parts <c>{"type": "text", "text"}</c> (joined with newlines). It is rendered with the model's chat template
    /// (<c>tokenizer_config.json</c>), followed by the opening of the assistant's turn. Non-text parts are not
    /// supported. A model without a chat template answers 400.
    /// </summary>
    public required JsonElement Messages { get; init; }

    /// <summary>
    /// Largest number of tokens to generate: the size of the masked canvas appended to the prompt. At least 1, at
    /// most the server's limit; prompt + this must fit in the model's context. Default: what the context has room
    /// for, capped at the server's limit and at the model's <c>max_new_tokens</c> (as vLLM caps it). Takes precedence
    /// over <c>max_tokens</c>.
    /// </summary>
    public int? MaxCompletionTokens { get; init; }

    /// <summary>Deprecated name of <c>max_completion_tokens</c>, used when that one is absent.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>
    /// Stream the answer as server-sent events: a first chunk with the role, one <c>data: {chunk}</c> per finalised
    /// block of the canvas, the finish reason on the last chunk, then <c>data: [DONE]</c>.
    /// </summary>
    public bool? Stream { get; init; }

    /// <summary>
    /// (vLLM's extension) Whether the rendered conversation also gets the special tokens its tokenizer adds to a text,
    /// such as a BOS, on top of those the chat template writes; default false (the template usually writes them).
    /// </summary>
    public bool? AddSpecialTokens { get; init; }

    /// <summary>(vLLM's extension) End the prompt by opening the assistant's turn; default true.</summary>
    public bool? AddGenerationPrompt { get; init; }

    /// <summary>
    /// (vLLM's extension) Leave the last message open, without its end of turn, and answer by continuing it (an
    /// assistant's prefill: the answer holds only the continuation); needs <c>add_generation_prompt</c> false or
    /// absent.
    /// </summary>
    public bool? ContinueFinalMessage { get; init; }

    /// <summary>
    /// (vLLM's extension) More variables for the model's chat template, such as <c>{"enable_thinking": false}</c> for a
    /// Qwen3-style template; they cannot replace <c>messages</c> or <c>add_generation_prompt</c>.
    /// </summary>
    public Dictionary<string, JsonElement>? ChatTemplateKwargs { get; init; }

    /// <summary>
    /// Return the log-probability of each answer token (<c>choices[].logprobs.content</c>): <c>log p(token)</c> at the
    /// denoising step that unmasked it.
    /// </summary>
    public bool? Logprobs { get; init; }

    /// <summary>
    /// Number of most likely tokens to list at each answer position (<c>content[].top_logprobs</c>), in [0, 20], under
    /// the same distribution as the chosen token's; above 0 only with <c>logprobs: true</c>.
    /// </summary>
    public int? TopLogprobs { get; init; }

    /// <summary>
    /// Functions the model may call (<c>{"type": "function", "function": {"name", "description", "parameters"}}</c>),
    /// described to it by its chat template; its calls come back as the message's <c>tool_calls</c> with
    /// <c>finish_reason: "tool_calls"</c>. Only models whose template describes tools (Hermes' <c>&lt;tool_call&gt;</c>
    /// syntax: Qwen2.5, Dream, Qwen3, SDAR) take them; others answer 400.
    /// </summary>
    public JsonElement? Tools { get; init; }

    /// <summary>
    /// <c>auto</c> (the default: the model decides), <c>none</c> (the tools are not shown to the model),
    /// <c>required</c> (one call of any offered function) or <c>{"type": "function", "function": {"name"}}</c> (one call
    /// of that function), a forced call decoded under a constraint.
    /// </summary>
    public JsonElement? ToolChoice { get; init; }

    /// <summary>Whether an answer may call several tools (default true); false keeps only its first call.</summary>
    public bool? ParallelToolCalls { get; init; }

    /// <summary>The format of the answer: <c>{"type": "text"}</c> (default) or <c>{"type": "json_object"}</c> (one JSON object).</summary>
    public JsonElement? ResponseFormat { get; init; }
}
