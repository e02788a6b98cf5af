namespace Quicksilver.Server.Errors;

/// <summary>Thrown while handling a request to answer it with <see cref="Error"/>; caught by the endpoint handler.</summary>
internal sealed class ApiErrorException(ApiError error) : Exception(error.Message)
{
    public ApiError Error { get; } = error;

    /// <summary>Shorthand for a 400 naming <paramref name="param"/>.</summary>
    public static ApiErrorException BadRequest(string message, string? param) => new(ApiError.BadRequest(message, param));
}
