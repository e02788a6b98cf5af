using Microsoft.AspNetCore.Http.Features;
using Quicksilver.Server.Errors;
using Quicksilver.Server.Http;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Completions;

/// <summary>
/// A streamed completion (<c>text/event-stream</c>). Created once the first delta is in hand, so that a request the
/// engine rejects still gets a plain 400; after the headers are out, an error becomes an error event, and the stream
/// always ends with <c>data: [DONE]</c>. A client that disconnects cancels the request's token, which the generation
/// runs under.
/// </summary>
internal sealed class CompletionStreamResult(
    IAsyncEnumerator<(int Index, CompletionDelta Delta)> deltas,
    CompletionChoices choices,
    CompletionHeader header,
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
            // With echo, a choice's first chunk starts with the prompt.
            var echoed = new bool[choices.Count];
            do
            {
                (int index, CompletionDelta delta) = deltas.Current;
                string text = choices.Echo is { } prompt && !echoed[index] ? prompt + delta.Text : delta.Text;
                echoed[index] = true;
                await events.WriteAsync(header.Chunk(index, text, delta.Finish, delta.Logprobs), WireJson.Context.Completion, aborted);
            }
            while (await deltas.MoveNextAsync());

            if (includeUsage)
            {
                await events.WriteAsync(header.UsageChunk(promptTokens, choices.CompletionTokens), WireJson.Context.Completion, aborted);
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
