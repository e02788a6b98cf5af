using System.Globalization;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Errors;

/// <summary>Writes an <see cref="ApiError"/>: status, <c>Retry-After</c> when the error has one, OpenAI error body.</summary>
internal sealed class ApiErrorResult(ApiError error) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (error.RetryAfterSeconds is int seconds)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return TypedResults.Json(error.ToResponse(), WireJson.Context.ErrorResponse, statusCode: error.StatusCode).ExecuteAsync(httpContext);
    }
}
