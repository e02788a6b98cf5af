namespace Quicksilver.Server.Wire;

/// <summary>The answer of <c>POST /detokenize</c> (vLLM's).</summary>
/// <param name="Prompt">The ids' text, special tokens kept.</param>
internal sealed record DetokenizeResponse(string Prompt);
