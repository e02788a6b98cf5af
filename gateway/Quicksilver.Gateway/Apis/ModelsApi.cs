using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Errors;
using Quicksilver.Gateway.Options;
using Quicksilver.Gateway.Telemetry;
using Quicksilver.Gateway.Tenancy;

namespace Quicksilver.Gateway.Apis;

/// <summary>
/// <c>GET /v1/models</c>: the models the caller's tenant may use, each with the card one of its pods serves (context
/// length included), from <see cref="ModelCardSource"/>, all at once: a model none of whose pods answers within the
/// probe timeout is still listed, with its last served card. <c>GET /v1/models/{model}</c>
/// (OpenAI's "retrieve model"; an id's slashes as they come or escaped): that card, or 404 for a model the gateway does
/// not serve or the tenant may not use (a model it cannot list is one it cannot see). <c>GET /openapi/v1.json</c>: the
/// API's description.
/// </summary>
internal static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/models", ListAsync);
        app.MapGet("/v1/models/{**model}", RetrieveAsync);
        app.MapGet("/openapi/v1.json", DescribeAsync);
        return app;
    }

    /// <summary>
    /// <c>GET /openapi/v1.json</c> (no key needed, as on the pods): the API as the gateway serves it
    /// (<see cref="OpenApiDocumentSource"/>); 503 before any pod has described it.
    /// </summary>
    private static async Task DescribeAsync(HttpContext context, OpenApiDocumentSource documents)
    {
        if (await documents.DocumentAsync(context.RequestAborted) is { } document)
        {
            await TypedResults.Json(document).ExecuteAsync(context);
            return;
        }

        await GatewayError.NoPodToDescribeTheApi().WriteAsync(context.Response);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IOptionsMonitor<GatewayOptions> options, ModelCardSource cards)
    {
        Tenant tenant = context.GetTenant()!;
        JsonNode[] listed = await Task.WhenAll(options.CurrentValue.Models.Keys.Where(tenant.MayUse).Order(StringComparer.Ordinal)
            .Select(model => cards.CardAsync(model, context.RequestAborted)));
        return TypedResults.Json(new JsonObject { ["object"] = "list", ["data"] = new JsonArray(listed) });
    }

    private static async Task RetrieveAsync(
        string model,
        HttpContext context,
        IOptionsMonitor<GatewayOptions> options,
        ModelCardSource cards,
        GatewayMetrics metrics)
    {
        // Kestrel decodes every escape but %2F, which the SDKs send for the slash of org/name.
        string id = model.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        bool served = options.CurrentValue.Models.ContainsKey(id);
        if (!served || !context.GetTenant()!.MayUse(id))
        {
            metrics.Rejected(context.GetTenant(), served ? GatewayMetrics.RejectionReasons.ModelNotAllowed : GatewayMetrics.RejectionReasons.ModelNotFound);
            await GatewayError.ModelNotFound(id).WriteAsync(context.Response);
            return;
        }

        await TypedResults.Json(await cards.CardAsync(id, context.RequestAborted)).ExecuteAsync(context);
    }
}
