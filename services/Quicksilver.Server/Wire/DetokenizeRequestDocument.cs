namespace Quicksilver.Server.Wire;

/// <summary>The body of <c>POST /detokenize</c> (vLLM's), as documented in the OpenAPI document.</summary>
internal sealed record DetokenizeRequestDocument
{
    /// <summary>The model whose tokenizer to use; the served model when absent.</summary>
    public string? Model { get; init; }

    /// <summary>The ids to turn into text, each in the model's vocabulary (none: the empty text).</summary>
    public required IReadOnlyList<int> Tokens { get; init; }
}
