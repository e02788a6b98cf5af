using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Apis;

/// <summary>Answers requests to unknown paths (and methods) with an OpenAI-shaped 404 rather than an empty one, as OpenAI does.</summary>
internal static class UnknownRouteApi
{
    public static IEndpointRouteBuilder MapUnknownRouteApi(this IEndpointRouteBuilder app)
    {
        app.MapFallback("{**path}", UnknownRoute).ExcludeFromDescription();
        return app;
    }

    public static IResult UnknownRoute(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new ApiError(
            StatusCodes.Status404NotFound,
            ErrorTypes.NotFound,
            $"Unknown request URL: {request.Method} {request.Path}.",
            null).ToResult();
    }
}
