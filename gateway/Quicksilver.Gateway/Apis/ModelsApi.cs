using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Quicksilver.Gateway.Relay;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Tenancy;
using Yarp.ReverseProxy;

namespace Quicksilver.Gateway.Apis;

/// <summary>
/// <c>GET /v1/models</c>: the models the caller's tenant may use, each with the card one of its pods serves (context
/// length included); a model with no available pod is still listed, with a minimal card.
/// </summary>
internal static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/models", ListAsync);
        return app;
    }

    private static async Task<IResult> ListAsync(
        HttpContext context,
        IOptionsMonitor<GatewayOptions> options,
        IProxyStateLookup proxyState,
        IHttpClientFactory httpClients)
    {
        Tenant tenant = context.GetTenant()!;
        HttpClient client = httpClients.CreateClient(PodLoadPoller.HttpClientName);
        var cards = new JsonArray();
        foreach (string model in options.CurrentValue.Models.Keys.Where(tenant.MayUse).Order(StringComparer.Ordinal))
        {
            string? pod = proxyState.TryGetCluster(ModelRoutesConfigProvider.ClusterId(model), out var cluster)
                ? cluster.DestinationsState.AvailableDestinations is [var first, ..] ? first.Model.Config.Address : null
                : null;
            cards.Add(await CardFromPodAsync(client, pod, model, options.CurrentValue.PodKey, context.RequestAborted)
                ?? new JsonObject { ["id"] = model, ["object"] = "model", ["created"] = 0, ["owned_by"] = "quicksilver" });
        }

        return TypedResults.Json(new JsonObject { ["object"] = "list", ["data"] = cards });
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
