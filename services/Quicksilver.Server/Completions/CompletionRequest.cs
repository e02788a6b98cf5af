using Quicksilver.Engine.Constraints.Json;

namespace Quicksilver.Server.Completions;

/// <summary>A <c>POST /v1/completions</c> body whose fields have passed the type and range checks.</summary>
internal sealed record CompletionRequest
{
    /// <summary>The <c>max_tokens</c> used when the request has none.</summary>
    public const int DefaultMaxTokens = 16;

    /// <summary>The model named by the client, or null for the served one.</summary>
    public string? Model { get; init; }

    public required CompletionPrompt Prompt { get; init; }

    /// <summary>The requested <c>max_tokens</c>, or null for <see cref="DefaultMaxTokens"/>.</summary>
    public int? MaxTokens { get; init; }

    public bool Stream { get; init; }

    /// <summary><c>stream_options.include_usage</c>.</summary>
    public bool IncludeUsage { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public ulong? Seed { get; init; }

    /// <summary><c>n</c>: answers to return.</summary>
    public int Choices { get; init; } = 1;

    /// <summary>
    /// <c>best_of</c> (at least <see cref="Choices"/>): answers to generate; candidate i samples with seed <c>seed + i</c>
    /// when a seed is given, and the <see cref="Choices"/> with the highest mean token log-probability are returned.
    /// </summary>
    public int Candidates { get; init; } = 1;

    /// <summary>
    /// <c>logprobs</c>: null reports no log-probabilities; N in [0, 5] reports each answer token's and the N most likely
    /// tokens at its position.
    /// </summary>
    public int? Logprobs { get; init; }

    /// <summary>vLLM's <c>response_format</c>: the grammar of the JSON object the answer must be (null: any text).</summary>
    public JsonGrammar? ResponseFormat { get; init; }

    /// <summary><c>echo</c>: each choice's text starts with the prompt.</summary>
    public bool Echo { get; init; }

    /// <summary><c>add_special_tokens</c> (vLLM's): a text prompt gets the tokenizer's special tokens.</summary>
    public bool AddSpecialTokens { get; init; } = true;

    /// <summary><c>suffix</c>: text after the answer, to fill in the middle; null or empty for none.</summary>
    public string? Suffix { get; init; }

    /// <summary>The sampling and diffusion fields, as given.</summary>
    public DecodingFields Decoding { get; init; } = new();
}
