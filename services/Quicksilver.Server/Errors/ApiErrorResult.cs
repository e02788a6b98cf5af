using System.Globalization;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Errors;

/// <summary>
/// Writes an <see cref="ApiError"/>: status, <c>Retry-After</c> and <c>X-Quicksilver-No-Retry</c> when the error has
/// them, OpenAI error body.
/// </summary>
internal sealed class ApiErrorResult(ApiError error) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (error.RetryAfterSeconds is int seconds)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        if (error.NoRetryReason is { } reason)
        {
            httpContext.Response.Headers[Http.QuicksilverHeaders.NoRetry] = reason;
        }

        return TypedResults.Json(error.ToResponse(), WireJson.Context.ErrorResponse, statusCode: error.StatusCode).ExecuteAsync(httpContext);
    }
}
