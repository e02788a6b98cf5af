namespace Quicksilver.Server.Wire;

/// <summary>A chat completion (<c>object: "chat.completion"</c>): the whole answer of a request without <c>stream</c>.</summary>
/// <param name="Id">Chat completion id, <c>chatcmpl-</c> followed by 32 hex digits.</param>
/// <param name="Object">Always <c>chat.completion</c>.</param>
/// <param name="Created">Unix time in seconds when the request was accepted.</param>
/// <param name="Model">The model that generated the answer.</param>
/// <param name="Choices">One choice per answer (<c>n</c>), in order.</param>
/// <param name="Usage">Token counts: the templated prompt and the answer.</param>
internal sealed record ChatCompletion(
    string Id,
    string Object,
    long Created,
    string Model,
    IReadOnlyList<ChatCompletionChoice> Choices,
    CompletionUsage Usage)
{
    /// <summary>The value of <c>object</c>.</summary>
    public const string ObjectName = "chat.completion";
}
