namespace Quicksilver.Server.Wire;

/// <summary>Options of a streamed answer.</summary>
internal sealed record StreamOptionsDocument
{
    /// <summary>Send a last chunk with <c>"choices": []</c> and the <c>usage</c> before <c>data: [DONE]</c>.</summary>
    public bool? IncludeUsage { get; init; }
}
