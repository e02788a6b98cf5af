using Microsoft.AspNetCore.Http.Features;
using Quicksilver.Server.Completions;
using Quicksilver.Server.Errors;
using Quicksilver.Server.Http;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Chat;

/// <summary>
/// A streamed chat completion (<c>text/event-stream</c>): a role chunk per choice, one chunk per delta of the
/// <see cref="CompletionChoices"/> (a choice's last with its finish reason), the usage chunk when asked for, then
/// <c>data: [DONE]</c>. Created once the first delta is in hand, so that a request the engine rejects still gets a
/// plain 400; after the headers are out, an error becomes an error event, and the stream always ends with
/// <c>data: [DONE]</c>. A client that disconnects cancels the request's token, which the generation runs under.
/// </summary>
internal sealed class ChatCompletionStreamResult(
    IAsyncEnumerator<(int Index, CompletionDelta Delta)> deltas,
    CompletionChoices choices,
    ChatCompletionHeader header,
    int promptTokens,
    bool includeUsage,
    ILogger logger) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        HttpResponse response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var events = new ServerSentEventsWriter(response.BodyWriter);
        CancellationToken aborted = httpContext.RequestAborted;
        ApiError? error = null;
        try
        {
            for (int index = 0; index < choices.Count; index++)
            {
                await events.WriteAsync(header.RoleChunk(index), WireJson.Context.ChatCompletionChunk, aborted);
            }

            do
            {
                await events.WriteAsync(header.Chunk(deltas.Current.Index, deltas.Current.Delta), WireJson.Context.ChatCompletionChunk, aborted);
            }
            while (await deltas.MoveNextAsync());

            if (includeUsage)
            {
                await events.WriteAsync(header.UsageChunk(promptTokens, choices.CompletionTokens), WireJson.Context.ChatCompletionChunk, aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            ServerLog.StreamAbandoned(logger, header.Id);
            return;
        }
        catch (ApiErrorException exception)
        {
            error = exception.Error;
        }
#pragma warning disable CA1031 // After the headers went out, any failure must still end the stream in the OpenAI way.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            ServerLog.StreamFailed(logger, exception, header.Id);
            error = ApiError.Internal();
        }
        finally
        {
            await deltas.DisposeAsync();
        }

        try
        {
            if (error is not null)
            {
                await events.WriteAsync(error.ToResponse(), WireJson.Context.ErrorResponse, aborted);
            }

            await events.WriteDoneAsync(aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            ServerLog.StreamAbandoned(logger, header.Id);
        }
    }
}
