using System.Text.Json;

namespace Quicksilver.Server.Wire;

/// <summary>
/// The body of <c>POST /tokenize</c> as documented in the OpenAPI document: vLLM's two forms, a completion's
/// <c>prompt</c> or a chat's <c>messages</c> (exactly one of them). The server parses the body itself
/// (<see cref="Tokenizing.TokenizeRequest"/>); this type only describes it.
/// </summary>
internal sealed record TokenizeRequestDocument
{
    /// <summary>The model whose tokenizer to use; the served model when absent.</summary>
    public string? Model { get; init; }

    /// <summary>A completion's prompt text, tokenised as <c>POST /v1/completions</c> tokenises it.</summary>
    public string? Prompt { get; init; }

    /// <summary>
    /// A chat's conversation, rendered with the model's chat template and tokenised as <c>POST /v1/chat/completions</c>
    /// does (the same fields and checks as there; a model without a chat template answers 400).
    /// </summary>
    public JsonElement? Messages { get; init; }

    /// <summary>
    /// Put the special tokens the tokenizer adds to a text (a BOS, say) around it: default true for a <c>prompt</c>,
    /// false for <c>messages</c> (the chat template writes them), as on the generation endpoints.
    /// </summary>
    public bool? AddSpecialTokens { get; init; }

    /// <summary>With <c>messages</c>: end the prompt by opening the assistant's turn; default true.</summary>
    public bool? AddGenerationPrompt { get; init; }

    /// <summary>With <c>messages</c>: leave the last message open (needs <c>add_generation_prompt</c> false or absent).</summary>
    public bool? ContinueFinalMessage { get; init; }

    /// <summary>Also return each id's text (<c>token_strs</c>); default false.</summary>
    public bool? ReturnTokenStrs { get; init; }
}
