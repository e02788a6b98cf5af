using Microsoft.AspNetCore.Http.Features;
using Quicksilver.Server.Errors;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Http;

/// <summary>
/// The frame of every streamed answer (completions and chat): SSE headers with buffering off, the answer's events,
/// an error event if it fails after the headers went out, and always <c>data: [DONE]</c> at the end. A client that
/// disconnects cancels the request's token; the stream then just stops.
/// </summary>
internal static class OpenAIEventStream
{
    /// <param name="httpContext">The request being answered.</param>
    /// <param name="streamId">The answer's id, for the log.</param>
    /// <param name="logger">Where abandoned and failed streams are logged.</param>
    /// <param name="source">Disposed once the events are written (the generation's enumerator).</param>
    /// <param name="writeEvents">Writes the answer's events.</param>
    public static async Task WriteAsync(
        HttpContext httpContext,
        string streamId,
        ILogger logger,
        IAsyncDisposable source,
        Func<ServerSentEventsWriter, CancellationToken, Task> writeEvents)
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
            await writeEvents(events, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            ServerLog.StreamAbandoned(logger, streamId);
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
            ServerLog.StreamFailed(logger, exception, streamId);
            error = ApiError.Internal();
        }
        finally
        {
            await source.DisposeAsync();
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
            ServerLog.StreamAbandoned(logger, streamId);
        }
    }
}
