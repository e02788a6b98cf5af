using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using Quicksilver.Http;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Http;

/// <summary>
/// Reads a request body as a JSON document, answering every problem in the OpenAI error shape: a Content-Type that
/// is not JSON or a compressed body (415), a body over the size limit (413), malformed JSON or a body that is not a JSON object (400), and
/// text that is not Unicode (400 naming the field, <see cref="JsonUnicodeCheck"/>).
/// </summary>
internal static class JsonBodyReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public static async Task<JsonDocument> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckContentType(request.ContentType);
        CheckContentEncoding(request.Headers.ContentEncoding.ToString());
        RequestBodyDrain.AllowPast(request.HttpContext, maxBytes);
        if (request.ContentLength > maxBytes)
        {
            throw new ApiErrorException(ApiError.RequestTooLarge(maxBytes));
        }

        byte[] body;
        try
        {
            body = await ReadAllAsync(request.BodyReader, maxBytes, cancellationToken);
        }
        catch (BadHttpRequestException exception)
        {
            // Kestrel enforces MaxRequestBodySize itself (413: past the drain's allowance) and reports broken framing (400).
            throw new ApiErrorException(exception.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? ApiError.RequestTooLarge(maxBytes)
                : new ApiError(exception.StatusCode, ErrorTypes.BadRequest, exception.Message, null));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException exception)
        {
            throw ApiErrorException.BadRequest($"We could not parse the JSON body of your request: {exception.Message}", null);
        }

        try
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ApiErrorException.BadRequest(
                    $"The request body must be a JSON object, but got {Completions.RequestFieldReader.Describe(document.RootElement.ValueKind)} instead.", null);
            }

            JsonUnicodeCheck.Require(document.RootElement);
            return document;
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    private static void CheckContentType(string? contentType)
    {
        // No Content-Type at all is taken as JSON, as vLLM does; anything else must say JSON in UTF-8.
        if (string.IsNullOrEmpty(contentType))
        {
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? mediaType)
            || !(mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || mediaType.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ApiErrorException(new ApiError(
                StatusCodes.Status415UnsupportedMediaType,
                ErrorTypes.UnsupportedMediaType,
                $"Unsupported Content-Type '{contentType}': send the body as JSON with 'Content-Type: application/json'.",
                null));
        }

        if (mediaType.Charset.HasValue
            && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !mediaType.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiErrorException(new ApiError(
                StatusCodes.Status415UnsupportedMediaType,
                ErrorTypes.UnsupportedMediaType,
                $"Unsupported charset '{mediaType.Charset}': the JSON body must be UTF-8.",
                null));
        }
    }

    private static void CheckContentEncoding(string encoding)
    {
        if (encoding.Trim() is { Length: > 0 } coding && !coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiErrorException(new ApiError(
                StatusCodes.Status415UnsupportedMediaType,
                ErrorTypes.UnsupportedMediaType,
                $"Unsupported Content-Encoding '{coding}': send the request body uncompressed.",
                null));
        }
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader reader, long maxBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length > maxBytes)
            {
                reader.AdvanceTo(buffer.End);
                throw new ApiErrorException(ApiError.RequestTooLarge(maxBytes));
            }

            if (result.IsCompleted)
            {
                byte[] body = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return body;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
