using System.Text.Encodings.Web;
using System.Text.Json;

namespace Quicksilver.Gateway.Errors;

/// <summary>
/// An error the gateway answers itself, in OpenAI's shape:
/// <c>{"error":{"message","type","param","code"}}</c> with <c>code</c> the HTTP status, as the pods write theirs.
/// </summary>
/// <param name="StatusCode">HTTP status.</param>
/// <param name="Type">Error class, e.g. <c>AuthenticationError</c>.</param>
/// <param name="Message">Human-readable explanation.</param>
/// <param name="Param">The request field at fault, or null.</param>
internal sealed record GatewayError(int StatusCode, string Type, string Message, string? Param = null)
{
    /// <summary>Seconds for <c>Retry-After</c> (429, 503).</summary>
    public int? RetryAfterSeconds { get; init; }

    public static GatewayError MissingApiKey() => new(
        StatusCodes.Status401Unauthorized,
        "AuthenticationError",
        "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.");

    public static GatewayError InvalidApiKey() => new(
        StatusCodes.Status401Unauthorized,
        "AuthenticationError",
        "Incorrect API key provided.");

    /// <summary>
    /// A model the gateway does not serve, or one the tenant may not use: one answer for both, as OpenAI's, so that a
    /// key cannot learn which models exist beyond its own (the rejection metric still tells them apart).
    /// </summary>
    public static GatewayError ModelNotFound(string model) => new(
        StatusCodes.Status404NotFound,
        "NotFoundError",
        $"The model `{model}` does not exist or you do not have access to it.",
        "model");

    public static GatewayError RouteNotFound(string method, string path) => new(
        StatusCodes.Status404NotFound,
        "NotFoundError",
        $"Unknown request URL: {method} {path}.");

    public static GatewayError BadRequest(string message, string? param) => new(StatusCodes.Status400BadRequest, "BadRequestError", message, param);

    public static GatewayError RequestTooLarge(long limit) => new(
        StatusCodes.Status413PayloadTooLarge,
        "RequestTooLargeError",
        $"The request body is larger than the limit of {limit} bytes.");

    public static GatewayError BodyTimedOut() => new(
        StatusCodes.Status408RequestTimeout,
        "RequestTimeoutError",
        "The request body arrived too slowly and was not read whole. Send it again.");

    public static GatewayError UnsupportedContentEncoding(string encoding) => new(
        StatusCodes.Status415UnsupportedMediaType,
        "UnsupportedMediaTypeError",
        $"Unsupported Content-Encoding '{encoding}': send the request body uncompressed.");

    public static GatewayError RateLimited(string message, TimeSpan? retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, "RateLimitError", message) { RetryAfterSeconds = Seconds(retryAfter ?? TimeSpan.FromSeconds(1)) };

    public static GatewayError PodsBusy(string model, TimeSpan retryAfter) =>
        RateLimited($"Every server of the model `{model}` that could take the request is busy. Retry after {Seconds(retryAfter)} s.", retryAfter);

    public static GatewayError NoPodAvailable(string model) =>
        new(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailableError", $"No server of the model `{model}` is available. Retry shortly.") { RetryAfterSeconds = 1 };

    /// <summary>The model's pods refused the gateway's own key: the platform's configuration, not the client's key.</summary>
    public static GatewayError PodsRefuseKey(string model) => new(
        StatusCodes.Status502BadGateway,
        "BadGatewayError",
        $"The servers of the model `{model}` refused this gateway's key (the gateway and the servers are configured with different keys). Your request and API key are fine; retry later.");

    public static GatewayError NoPodToDescribeTheApi() =>
        new(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailableError", "No server is available to describe the API yet. Retry shortly.") { RetryAfterSeconds = 1 };

    public static GatewayError PodTimedOut(string model) => new(
        StatusCodes.Status504GatewayTimeout,
        "GatewayTimeoutError",
        $"The server of the model `{model}` did not answer in time.");

    public static GatewayError Internal() => new(
        StatusCodes.Status500InternalServerError,
        "InternalServerError",
        "The gateway had an error while processing your request.");

    /// <summary>The body as UTF-8 JSON (also the payload of an SSE error event).</summary>
    public byte[] ToJsonBytes()
    {
        using var buffer = new MemoryStream();
        // Escaped as the pods escape their errors (only what JSON requires), so both read alike byte for byte.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", Message);
            json.WriteString("type", Type);
            if (Param is null)
            {
                json.WriteNull("param");
            }
            else
            {
                json.WriteString("param", Param);
            }

            json.WriteNumber("code", StatusCode);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Writes the answer (status, <c>Retry-After</c>, JSON body); the response must not have started.</summary>
    public Task WriteAsync(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Clear();
        response.StatusCode = StatusCode;
        response.ContentType = "application/json; charset=utf-8"; // as the pods answer
        if (RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return response.Body.WriteAsync(ToJsonBytes()).AsTask();
    }

    private static int Seconds(TimeSpan delay) => Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds));
}
