using Microsoft.AspNetCore.Diagnostics;

namespace Quicksilver.Server.Errors;

/// <summary>
/// The last line of defence, run by <c>UseExceptionHandler</c> after it has logged an exception no endpoint handled:
/// answers in the OpenAI shape instead of an empty 500. Bad input never gets here (the handlers answer it with 4xx);
/// a 500 is a bug.
/// </summary>
internal static class UnhandledExceptionWriter
{
    public static Task WriteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        ApiError error = exception switch
        {
            // Kestrel's own request errors (body over MaxRequestBodySize, malformed framing) are the client's fault.
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => ApiError.RequestTooLarge(
                context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0),
            BadHttpRequestException bad => new ApiError(bad.StatusCode, ErrorTypes.BadRequest, bad.Message, null),
            _ => ApiError.Internal(),
        };
        return error.ToResult().ExecuteAsync(context);
    }
}
