using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Errors;
using Quicksilver.Gateway.Options;
using Quicksilver.Gateway.Relay;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Telemetry;
using Quicksilver.Gateway.Tenancy;
using Yarp.ReverseProxy;

namespace Quicksilver.Gateway.Apis;

/// <summary>
/// <c>GET /v1/models</c>: the models the caller's tenant may use, each with the card one of its pods serves (context
/// length included), asked of the pods at once, each within the probe timeout; a model none of whose pods answers in
/// time is still listed, with its last served card (<see cref="ModelCards"/>). <c>GET /v1/models/{model}</c>
/// (OpenAI's "retrieve model"; an id's slashes as they come or escaped): that card, or 404 for a model the gateway does
/// not serve or the tenant may not use (a model it cannot list is one it cannot see).
/// </summary>
internal static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/models", ListAsync);
        app.MapGet("/v1/models/{**model}", RetrieveAsync);
        return app;
    }

    private static async Task<IResult> ListAsync(
        HttpContext context,
        IOptionsMonitor<GatewayOptions> options,
        IProxyStateLookup proxyState,
        IHttpClientFactory httpClients,
        ModelCards lastCards)
    {
        Tenant tenant = context.GetTenant()!;
        JsonNode[] cards = await Task.WhenAll(options.CurrentValue.Models.Keys.Where(tenant.MayUse).Order(StringComparer.Ordinal)
            .Select(model => CardAsync(model, context, options, proxyState, httpClients, lastCards)));
        return TypedResults.Json(new JsonObject { ["object"] = "list", ["data"] = new JsonArray(cards) });
    }

    private static async Task RetrieveAsync(
        string model,
        HttpContext context,
        IOptionsMonitor<GatewayOptions> options,
        IProxyStateLookup proxyState,
        IHttpClientFactory httpClients,
        ModelCards lastCards,
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

        await TypedResults.Json(await CardAsync(id, context, options, proxyState, httpClients, lastCards)).ExecuteAsync(context);
    }

    /// <summary>The card one of the model's available pods serves, or the last one served when none answers.</summary>
    private static async Task<JsonNode> CardAsync(
        string model,
        HttpContext context,
        IOptionsMonitor<GatewayOptions> options,
        IProxyStateLookup proxyState,
        IHttpClientFactory httpClients,
        ModelCards lastCards)
    {
        string? pod = proxyState.TryGetCluster(ModelRoutesConfigProvider.ClusterId(model), out var cluster)
            ? cluster.DestinationsState.AvailableDestinations is [var first, ..] ? first.Model.Config.Address : null
            : null;
        HttpClient client = httpClients.CreateClient(PodLoadPoller.HttpClientName);
        return await CardFromPodAsync(client, pod, model, options.CurrentValue.PodKey, context.RequestAborted) is { } card
            ? lastCards.Served(model, card)
            : lastCards.Fallback(model);
    }

    private static async Task<JsonNode?> CardFromPodAsync(HttpClient client, string? pod, string model, string? podKey, CancellationToken cancellationToken)
    {
        if (pod is null)
        {
            return null;
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(pod), "/v1/models"));
            request.Headers.TryAddWithoutValidation(PodHeaders.GatewayKey, podKey);
            using HttpResponseMessage response = await client.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            JsonNode? list = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return list?["data"]?.AsArray().FirstOrDefault(card => card?["id"]?.GetValue<string>() == model)?.DeepClone();
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
