namespace Quicksilver.Server.Wire;

/// <summary>
/// A text completion (<c>object: "text_completion"</c>): the whole response without <c>stream</c>, or one chunk of
/// the stream with it. In a stream every chunk has the same <c>id</c> and <c>created</c>, <c>text</c> holds the new
/// text only and <c>usage</c> is null except on the final usage chunk (whose <c>choices</c> is empty).
/// </summary>
/// <param name="Id">Completion id, <c>cmpl-</c> followed by 32 hex digits.</param>
/// <param name="Object">Always <c>text_completion</c>.</param>
/// <param name="Created">Unix time in seconds when the request was accepted.</param>
/// <param name="Model">The model that generated the text.</param>
/// <param name="Choices">One choice per prompt (one for now).</param>
/// <param name="Usage">Token counts; null on stream chunks other than the usage chunk.</param>
internal sealed record Completion(
    string Id,
    string Object,
    long Created,
    string Model,
    IReadOnlyList<CompletionChoice> Choices,
    CompletionUsage? Usage)
{
    /// <summary>The value of <c>object</c>.</summary>
    public const string ObjectName = "text_completion";
}
