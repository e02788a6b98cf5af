using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Errors;

/// <summary>An error answer: HTTP status plus the OpenAI error body.</summary>
/// <param name="StatusCode">HTTP status.</param>
/// <param name="Type">See <see cref="ErrorTypes"/>.</param>
/// <param name="Message">Human-readable explanation.</param>
/// <param name="Param">The request field at fault, or null.</param>
internal sealed record ApiError(int StatusCode, string Type, string Message, string? Param)
{
    public static ApiError BadRequest(string message, string? param) =>
        new(StatusCodes.Status400BadRequest, ErrorTypes.BadRequest, message, param);

    public static ApiError ModelNotFound(string model) =>
        new(StatusCodes.Status404NotFound, ErrorTypes.NotFound, $"The model `{model}` does not exist.", "model");

    public static ApiError RequestTooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, ErrorTypes.RequestTooLarge, $"The request body is larger than the limit of {limit} bytes.", null);

    public static ApiError ServiceUnavailable(string message) =>
        new(StatusCodes.Status503ServiceUnavailable, ErrorTypes.ServiceUnavailable, message, null);

    public static ApiError Internal() =>
        new(StatusCodes.Status500InternalServerError, ErrorTypes.InternalServer, "The server had an error while processing your request.", null);

    /// <summary>The body, as sent in an answer or an SSE error event.</summary>
    public ErrorResponse ToResponse() => new(new ErrorDetail(Message, Type, Param, StatusCode));

    /// <summary>The answer.</summary>
    public IResult ToResult() => TypedResults.Json(ToResponse(), WireJson.Context.ErrorResponse, statusCode: StatusCode);
}
