using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Quicksilver.Gateway.Relay;
using Quicksilver.Gateway.Routing;
using Yarp.ReverseProxy;

namespace Quicksilver.Gateway.Apis;

/// <summary>
/// The card of each model for <c>GET /v1/models</c>: the one a pod served less than <c>Routing:ModelCardTtl</c> ago,
/// else one asked of an available pod of the model within the probe timeout, by a single request that every listing
/// arriving meanwhile shares; when none answers, the last card a pod served (a minimal one before any has). So a key
/// that lists models in a loop costs each model's pods at most one card request at a time and, while the card is
/// fresh, none. Thread-safe.
/// </summary>
internal sealed class ModelCardSource(
    IOptionsMonitor<GatewayOptions> options,
    IOptionsMonitor<RoutingOptions> routing,
    IProxyStateLookup proxyState,
    IHttpClientFactory httpClients,
    TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ServedCard> _served = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<JsonNode?>>> _asking = new(StringComparer.Ordinal);

    /// <summary>The model's card; <paramref name="cancellationToken"/> stops this caller's wait, not a request other callers share.</summary>
    public async Task<JsonNode> CardAsync(string model, CancellationToken cancellationToken)
    {
        if (_served.TryGetValue(model, out ServedCard? served) && time.GetElapsedTime(served.ServedAt) < routing.CurrentValue.ModelCardTtl)
        {
            return served.Card.DeepClone();
        }

        Lazy<Task<JsonNode?>> asking = _asking.GetOrAdd(model, static (id, source) => new(() => source.AskOutsideTheCallersTrace(id)), this);
        JsonNode? card = await asking.Value.WaitAsync(cancellationToken);
        return card?.DeepClone() ?? LastServedOrMinimal(model);
    }

    /// <summary>The shared request runs in no caller's execution context: its span belongs to none of their traces.</summary>
    private Task<JsonNode?> AskOutsideTheCallersTrace(string model)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(() => AskPodAsync(model));
        }
    }

    private async Task<JsonNode?> AskPodAsync(string model)
    {
        try
        {
            JsonNode? card = await CardFromPodAsync(model);
            if (card is not null)
            {
                _served[model] = new ServedCard(card, time.GetTimestamp());
            }

            return card;
        }
        finally
        {
            // The next caller after this point asks again (unless the card just served is fresh for it).
            _asking.TryRemove(model, out _);
        }
    }

    private JsonNode LastServedOrMinimal(string model) =>
        _served.TryGetValue(model, out ServedCard? served)
            ? served.Card.DeepClone()
            : new JsonObject { ["id"] = model, ["object"] = "model", ["created"] = 0, ["owned_by"] = "quicksilver" };

    private async Task<JsonNode?> CardFromPodAsync(string model)
    {
        string? pod = proxyState.TryGetCluster(ModelRoutesConfigProvider.ClusterId(model), out var cluster)
            && cluster.DestinationsState.AvailableDestinations is [var first, ..]
                ? first.Model.Config.Address
                : null;
        if (pod is null)
        {
            return null;
        }

        try
        {
            // The named client gives up after the probe timeout.
            HttpClient client = httpClients.CreateClient(PodLoadPoller.HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(pod), "/v1/models"));
            request.Headers.TryAddWithoutValidation(PodHeaders.GatewayKey, options.CurrentValue.PodKey);
            using HttpResponseMessage response = await client.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            JsonNode? list = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            return list?["data"]?.AsArray().FirstOrDefault(card => card?["id"]?.GetValue<string>() == model)?.DeepClone();
        }
#pragma warning disable CA1031 // Whatever fails (a refused or malformed answer, a destination address that is no URI) leaves the last card served.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private sealed record ServedCard(JsonNode Card, long ServedAt);
}
