using System.Text.Json.Nodes;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Errors;

/// <summary>An error answer: HTTP status plus the OpenAI error body.</summary>
/// <param name="StatusCode">HTTP status.</param>
/// <param name="Type">See <see cref="ErrorTypes"/>.</param>
/// <param name="Message">Human-readable explanation.</param>
/// <param name="Param">The request field at fault, or null.</param>
internal sealed record ApiError(int StatusCode, string Type, string Message, string? Param)
{
    /// <summary>Seconds for the <c>Retry-After</c> header of a 429 or 503, when the client should come back.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>A machine-readable <c>code</c> (as OpenAI's <c>invalid_api_key</c>); null means the HTTP status.</summary>
    public string? Code { get; init; }

    /// <summary>Why the gateway should not try another pod (<see cref="Http.QuicksilverHeaders.NoRetry"/>); null: it may.</summary>
    public string? NoRetryReason { get; init; }

    public static ApiError TooManyRequests(string message, TimeSpan retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, ErrorTypes.RateLimit, message, null) { RetryAfterSeconds = Seconds(retryAfter) };

    public static ApiError Unauthorized(string message, string code) =>
        new(StatusCodes.Status401Unauthorized, ErrorTypes.Authentication, message, null) { Code = code };

    public static ApiError BadRequest(string message, string? param) =>
        new(StatusCodes.Status400BadRequest, ErrorTypes.BadRequest, message, param);

    public static ApiError ModelNotFound(string model) =>
        new(StatusCodes.Status404NotFound, ErrorTypes.NotFound, $"The model `{model}` does not exist.", "model");

    public static ApiError RequestTooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, ErrorTypes.RequestTooLarge, $"The request body is larger than the limit of {limit} bytes.", null);

    public static ApiError ServiceUnavailable(string message, TimeSpan? retryAfter = null) =>
        new(StatusCodes.Status503ServiceUnavailable, ErrorTypes.ServiceUnavailable, message, null) { RetryAfterSeconds = retryAfter is { } delay ? Seconds(delay) : null };

    public static ApiError Internal() =>
        new(StatusCodes.Status500InternalServerError, ErrorTypes.InternalServer, "The server had an error while processing your request.", null);

    /// <summary>The body, as sent in an answer or an SSE error event.</summary>
    public ErrorResponse ToResponse() =>
        new(new ErrorDetail(Message, Type, Param, Code is { } code ? JsonValue.Create(code) : JsonValue.Create(StatusCode)));

    /// <summary>The answer, with <c>Retry-After</c> when set.</summary>
    public IResult ToResult() => new ApiErrorResult(this);

    private static int Seconds(TimeSpan delay) => Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds));
}
