using Microsoft.Extensions.Options;
using Quicksilver.Engine;
using Quicksilver.Server.Errors;
using Quicksilver.Server.Hosting;
using Quicksilver.Server.OpenApi;
using Quicksilver.Server.Tenancy;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Apis;

/// <summary>
/// <c>GET /v1/models</c>: the served model, with its context length and backend; <c>GET /v1/models/{model}</c>
/// (OpenAI's "retrieve model"): its card, or 404 for any other id. An id may hold slashes (<c>org/name</c>), as they
/// come or escaped (<c>org%2Fname</c>, as the SDKs send a path parameter).
/// </summary>
internal static class ModelsApi
{
    /// <summary>The <c>owned_by</c> of every model.</summary>
    public const string Owner = "quicksilver";

    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1").WithTags("Models");

        api.MapGet("/models", ListModels)
            .WithTenancy()
            .WithName("ListModels")
            .WithSummary("Lists the served models")
            .WithDescription("The model this server serves (none while it is loading), with `context_length`, `backend` and `generation_defaults` (what a request that leaves a sampling or diffusion field out gets: the model's generation_config.json, else the server's defaults).")
            .Produces<ModelList>(StatusCodes.Status200OK)
            .Produces<ErrorResponse>(StatusCodes.Status401Unauthorized);

        api.MapGet("/models/{**model}", RetrieveModel)
            .WithTenancy()
            .WithName("RetrieveModel")
            .WithSummary("Retrieves a served model")
            .WithDescription("The card `GET /v1/models` lists for this model; 404 in OpenAI's error shape for a model this server does not serve, 503 while it loads.")
            .Produces<ModelCard>(StatusCodes.Status200OK)
            .ProducesErrors(StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    public static Ok<ModelList> ListModels(ModelCatalog catalog, IOptions<EngineOptions> engine)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(engine);
        return TypedResults.Ok(new ModelList("list", [.. catalog.Models.Select(m => ToCard(m, engine.Value))]));
    }

    public static IResult RetrieveModel(string model, ModelCatalog catalog, IOptions<EngineOptions> engine)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(engine);
        try
        {
            return TypedResults.Ok(ToCard(catalog.Resolve(UnescapeSlashes(model)), engine.Value));
        }
        catch (ApiErrorException exception)
        {
            return exception.Error.ToResult();
        }
    }

    /// <summary>
    /// The id a path segment names: the server has decoded every escape but <c>%2F</c>, which the SDKs send for the
    /// slash of <c>org/name</c>; decoding the rest again would turn a literal <c>%25..</c> into something else.
    /// </summary>
    private static string UnescapeSlashes(string segment) =>
        segment.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    private static ModelCard ToCard(ServedModel model, EngineOptions engine) =>
        new(model.Id, "model", model.Created.ToUnixTimeSeconds(), Owner, model.ContextLength, model.BackendName, GenerationDefaultsCard.For(model, engine.DefaultBlockLength));
}
