using Quicksilver.Server.Wire;

namespace Quicksilver.Server.OpenApi;

/// <summary>The error answers an endpoint documents, each in OpenAI's error shape.</summary>
internal static class ErrorResponses
{
    private static readonly int[] GenerationStatuses =
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

    /// <summary>The errors both generation endpoints can give.</summary>
    public static RouteHandlerBuilder ProducesGenerationErrors(this RouteHandlerBuilder builder) =>
        builder.ProducesErrors(GenerationStatuses);

    public static RouteHandlerBuilder ProducesErrors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(statuses);
        foreach (int status in statuses)
        {
            builder.Produces<ErrorResponse>(status);
        }

        return builder;
    }
}
