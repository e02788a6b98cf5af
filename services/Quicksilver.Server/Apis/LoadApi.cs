using Microsoft.Extensions.Options;
using Quicksilver.Engine;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Chat;
using Quicksilver.Server.Completions;
using Quicksilver.Server.Errors;
using Quicksilver.Server.Health;
using Quicksilver.Server.Hosting;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Apis;

/// <summary>
/// <c>GET /load</c>: the engine's load as one small JSON object, cheap enough for the gateway to poll every few
/// hundred milliseconds (no metrics pipeline, no trace, no HTTP metrics). 503 in the OpenAI error shape while the model
/// is loading.
/// </summary>
internal static class LoadApi
{
    public const string Path = "/load";

    public static IEndpointRouteBuilder MapLoadApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, GetLoad)
            .WithName("GetLoad")
            .WithTags("Operations")
            .WithSummary("The engine's current load")
            .WithDescription(
                "`{\"model\", \"waiting\", \"running\", \"tokens_in_flight\", \"draining\", \"ready\", \"max_tokens\", \"chat_default_max_tokens\"}`: " +
                "requests queued for a place in the batch, sequences in the step loop, their canvas tokens (the work of one " +
                "step), whether the pod is shutting down, what /health/ready answers now, the largest max_tokens it takes " +
                "and the budget of a chat request that names none. The gateway polls it to balance load, to bound what an " +
                "answer can spend and to bring a pod back into rotation as soon as it is ready; 503 while the model is loading.")
            .Produces<LoadReport>(StatusCodes.Status200OK)
            .Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable)
            .DisableHttpMetrics();
        return app;
    }

    public static async Task<IResult> GetLoad(ModelCatalog catalog, IOptions<LimitsOptions> limits, HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(response);
        if (catalog.Models is not [ServedModel model, ..])
        {
            return ApiError.ServiceUnavailable("The model is still loading; try again shortly.").ToResult();
        }

        EngineLoad load = model.Engine.Load;
        bool ready = await ReadinessChecks.PassAsync(response.HttpContext.RequestServices, response.HttpContext.RequestAborted);
        response.Headers.CacheControl = "no-store";
        return TypedResults.Json(
            new LoadReport(
                model.Id,
                load.Waiting,
                load.Running,
                load.TokensInFlight,
                load.Draining,
                ready,
                limits.Value.MaxTokens,
                ChatPlanner.DefaultMaxTokensCeiling(limits.Value, SamplingDefaults.For(model.Generation))),
            LoadJsonContext.Default.LoadReport);
    }
}
