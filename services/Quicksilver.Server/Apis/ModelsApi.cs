using Quicksilver.Engine;
using Quicksilver.Server.Completions;
using Quicksilver.Server.Hosting;
using Quicksilver.Server.Tenancy;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Apis;

/// <summary><c>GET /v1/models</c>: the served model, with its context length and backend.</summary>
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
            .WithDescription("The model this server serves (none while it is loading), with `context_length`, `backend` and `generation_defaults` (what a request that leaves a sampling or diffusion field out gets: the model's generation_config.json, else the server's defaults).");

        return app;
    }

    public static Ok<ModelList> ListModels(ModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return TypedResults.Ok(new ModelList("list", [.. catalog.Models.Select(ToCard)]));
    }

    private static ModelCard ToCard(ServedModel model) =>
        new(model.Id, "model", model.Created.ToUnixTimeSeconds(), Owner, model.ContextLength, model.BackendName, GenerationDefaultsCard.From(SamplingDefaults.For(model.Generation)));
}
