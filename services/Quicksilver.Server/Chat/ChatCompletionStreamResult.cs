using Quicksilver.Server.Completions;
using Quicksilver.Server.Http;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Chat;

/// <summary>
/// A streamed chat completion (<c>text/event-stream</c>): a role chunk per choice, one chunk per delta of the
/// <see cref="CompletionChoices"/> with text (a choice's last, with or without, carries its finish reason and the calls
/// of tools it makes), the usage chunk when asked for (the usage is billed either way), then
/// <c>data: [DONE]</c> (<see cref="OpenAIEventStream"/>). Created once the first delta is in hand, so that a request
/// the engine rejects still gets a plain 400.
/// </summary>
internal sealed class ChatCompletionStreamResult(
    IAsyncEnumerator<(int Index, CompletionDelta Delta)> deltas,
    CompletionChoices choices,
    ChatCompletionHeader header,
    ChatToolUse tools,
    bool includeUsage,
    ILogger logger) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => OpenAIEventStream.WriteAsync(httpContext, header.Id, logger, deltas, async (events, aborted) =>
    {
        for (int index = 0; index < choices.Count; index++)
        {
            await events.WriteAsync(header.RoleChunk(index), WireJson.Context.ChatCompletionChunk, aborted);
        }

        do
        {
            (int index, CompletionDelta delta) = deltas.Current;
            if (delta.Finish is not null || delta.Text.Length > 0)
            {
                await events.WriteAsync(header.Chunk(index, delta, tools), WireJson.Context.ChatCompletionChunk, aborted);
            }
        }
        while (await deltas.MoveNextAsync());

        CompletionUsage usage = choices.Bill();
        if (includeUsage)
        {
            await events.WriteAsync(header.UsageChunk(usage), WireJson.Context.ChatCompletionChunk, aborted);
        }
    });
}
