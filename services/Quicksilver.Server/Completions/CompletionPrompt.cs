namespace Quicksilver.Server.Completions;

/// <summary>The one prompt of a request: text to tokenise, or token ids given by the client.</summary>
/// <param name="Text">The prompt text, or null when ids were given.</param>
/// <param name="TokenIds">The prompt ids, or null when text was given.</param>
internal sealed record CompletionPrompt(string? Text, IReadOnlyList<int>? TokenIds)
{
    public static CompletionPrompt FromText(string text) => new(text, null);

    public static CompletionPrompt FromTokenIds(IReadOnlyList<int> ids) => new(null, ids);
}
