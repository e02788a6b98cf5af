using Quicksilver.Server.Wire;

namespace Quicksilver.Server.OpenApi;

/// <summary>The error answers both generation endpoints can give, each in OpenAI's error shape.</summary>
internal static class GenerationErrorResponses
{
    private static readonly int[] Statuses =
    [
        StatusCodes.Status400BadRequest,
        StatusCodes.Status401Unauthorized,
        StatusCodes.Status404NotFound,
        StatusCodes.Status413PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests,
        StatusCodes.Status500InternalServerError,
        StatusCodes.Status503ServiceUnavailable,
    ];

    public static RouteHandlerBuilder ProducesGenerationErrors(this RouteHandlerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (int status in Statuses)
        {
            builder.Produces<ErrorResponse>(status);
        }

        return builder;
    }
}
