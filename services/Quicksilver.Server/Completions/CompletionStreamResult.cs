using Quicksilver.Server.Http;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Completions;

/// <summary>
/// A streamed completion (<c>text/event-stream</c>): one chunk per delta of the <see cref="CompletionChoices"/> with
/// text or a finish reason (with <c>echo</c>, a choice's first chunk starts with the prompt), the usage chunk when asked for (the usage is billed
/// either way), then
/// <c>data: [DONE]</c> (<see cref="OpenAIEventStream"/>). Created once the first delta is in hand, so that a request
/// the engine rejects still gets a plain 400.
/// </summary>
internal sealed class CompletionStreamResult(
    IAsyncEnumerator<(int Index, CompletionDelta Delta)> deltas,
    CompletionChoices choices,
    CompletionHeader header,
    bool includeUsage,
    ILogger logger) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => OpenAIEventStream.WriteAsync(httpContext, header.Id, logger, deltas, async (events, aborted) =>
    {
        var echoed = new bool[choices.Count];
        do
        {
            (int index, CompletionDelta delta) = deltas.Current;
            string text = choices.Echo is { } prompt && !echoed[index] ? prompt + delta.Text : delta.Text;
            echoed[index] = true;
            if (delta.Finish is not null || text.Length > 0)
            {
                await events.WriteAsync(header.Chunk(index, text, delta.Finish, delta.Logprobs), WireJson.Context.Completion, aborted);
            }
        }
        while (await deltas.MoveNextAsync());

        CompletionUsage usage = choices.Bill();
        if (includeUsage)
        {
            await events.WriteAsync(header.UsageChunk(usage), WireJson.Context.Completion, aborted);
        }
    });
}
