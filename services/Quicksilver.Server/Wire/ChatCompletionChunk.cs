namespace Quicksilver.Server.Wire;

/// <summary>
/// One event of a streamed chat completion (<c>object: "chat.completion.chunk"</c>). Every chunk of a stream has the
/// same <c>id</c> and <c>created</c>. A choice's first chunk has the delta <c>{"role":"assistant","content":""}</c>, the
/// next ones carry the text of each finalised block as <c>{"content":…}</c>, and the last chunk of the choice carries
/// <c>finish_reason</c> (its delta may be empty). With <c>stream_options.include_usage</c> a final chunk has
/// <c>"choices": []</c> and the <c>usage</c>, which is null on every other chunk.
/// </summary>
/// <param name="Id">Chat completion id, <c>chatcmpl-</c> followed by 32 hex digits.</param>
/// <param name="Object">Always <c>chat.completion.chunk</c>.</param>
/// <param name="Created">Unix time in seconds when the request was accepted.</param>
/// <param name="Model">The model that generates the answer.</param>
/// <param name="Choices">The choice this chunk continues; empty on the usage chunk.</param>
/// <param name="Usage">Token counts on the usage chunk; null otherwise.</param>
internal sealed record ChatCompletionChunk(
    string Id,
    string Object,
    long Created,
    string Model,
    IReadOnlyList<ChatCompletionChunkChoice> Choices,
    CompletionUsage? Usage)
{
    /// <summary>The value of <c>object</c>.</summary>
    public const string ObjectName = "chat.completion.chunk";
}
