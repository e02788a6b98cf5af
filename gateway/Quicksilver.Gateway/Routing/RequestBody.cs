using System.Buffers;
using Quicksilver.Gateway.Errors;
using Quicksilver.Gateway.Telemetry;
using Quicksilver.Http;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// A request's body as the gateway reads it, whole, before routing (<see cref="ReadAsync"/>): <see cref="Received"/>,
/// <see cref="Refused"/> with the error that says why, or <see cref="Abandoned"/> by a client that left while sending.
/// </summary>
internal abstract record RequestBody
{
    private const int ChunkBytes = 16 * 1024;

    private RequestBody()
    {
    }

    /// <summary>
    /// Reads the body of <paramref name="context"/>'s request, at most <paramref name="limit"/> bytes, and puts it back
    /// as a seekable stream, so that each try toward a pod can replay it. Past the limit, Kestrel drains the rest after
    /// the 413 (its own limit is <see cref="RequestBodyDrain.AllowanceBytes"/> higher).
    /// </summary>
    public static async Task<RequestBody> ReadAsync(HttpContext context, long limit)
    {
        HttpRequest request = context.Request;
        if (request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        // Grown as bytes arrive, not sized by the Content-Length a client declares and may never send.
        using var body = new MemoryStream(ChunkBytes);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (body.Length + read > limit)
                {
                    return TooLarge(limit);
                }

                body.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException exception) when (!context.RequestAborted.IsCancellationRequested && !ConnectionEnded(exception))
        {
            return exception.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => TooLarge(limit), // Kestrel's, set at start: reached only once a reload raised ours past it
                StatusCodes.Status408RequestTimeout => new Refused(GatewayError.BodyTimedOut(), GatewayMetrics.RejectionReasons.RequestTimedOut),
                _ => new Refused(GatewayError.BadRequest($"The request body could not be read: {exception.Message}", null), GatewayMetrics.RejectionReasons.InvalidRequest),
            };
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            // The connection ended, was reset or aborted, perhaps before the request's abort token says so.
            return new Abandoned();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        ArraySegment<byte> bytes = body.TryGetBuffer(out ArraySegment<byte> buffer) ? buffer : body.ToArray();
        request.Body = new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false);
        return new Received(bytes);
    }

    /// <summary>
    /// Whether Kestrel gave up on the body because the connection ended before the body did (the client closed or reset
    /// it mid-upload), which it tells apart from broken framing by its message only.
    /// </summary>
    private static bool ConnectionEnded(BadHttpRequestException exception) =>
        exception.Message.StartsWith("Unexpected end of request content", StringComparison.Ordinal);

    private static Refused TooLarge(long limit) => new(GatewayError.RequestTooLarge(limit), GatewayMetrics.RejectionReasons.RequestTooLarge);

    /// <summary>The body, read whole.</summary>
    public sealed record Received(ReadOnlyMemory<byte> Bytes) : RequestBody;

    /// <summary>The body could not be read whole: over the limit (413), broken framing (400), or sent too slowly (408).</summary>
    public sealed record Refused(GatewayError Error, string Reason) : RequestBody;

    /// <summary>The client left, or its connection broke, while it sent the body: nobody is left to answer.</summary>
    public sealed record Abandoned : RequestBody;
}
