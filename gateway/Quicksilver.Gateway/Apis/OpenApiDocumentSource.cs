using System.Text.Json.Nodes;
using Quicksilver.Gateway.Routing;
using Yarp.ReverseProxy;

namespace Quicksilver.Gateway.Apis;

/// <summary>
/// The gateway's OpenAPI document (<see cref="GatewayOpenApiDocument"/>), made from the first available pod's that
/// answers (any model: the pods serve one API), kept for <see cref="Ttl"/>: a document changes with a pod's image only.
/// When no pod answers, the last document made, if any, kept for <see cref="RetryAfterNoAnswer"/> before the pods are
/// asked again (each is waited on up to the probe timeout, so asking on every request would queue every caller behind
/// that). One caller asks the pods at a time. Thread-safe.
/// </summary>
internal sealed class OpenApiDocumentSource(IProxyStateLookup proxyState, IHttpClientFactory httpClients, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RetryAfterNoAnswer = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _asking = new(1, 1);
    private JsonObject? _document;
    private long _keptSince;
    private TimeSpan _keptFor;

    /// <summary>A copy of the document; null when no pod has answered yet.</summary>
    public async Task<JsonObject?> DocumentAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } fresh)
        {
            return fresh;
        }

        await _asking.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } madeMeanwhile)
            {
                return madeMeanwhile;
            }

            // The named client gives up on each pod after the probe timeout.
            HttpClient client = httpClients.CreateClient(PodLoadPoller.HttpClientName);
            foreach (string pod in proxyState.GetClusters().SelectMany(cluster => cluster.DestinationsState.AvailableDestinations).Select(d => d.Model.Config.Address))
            {
                if (await FromPodAsync(client, pod, cancellationToken) is { } document)
                {
                    (_document, _keptSince, _keptFor) = (document, time.GetTimestamp(), Ttl);
                    return document.DeepClone().AsObject();
                }
            }

            if (_document is null)
            {
                return null;
            }

            (_keptSince, _keptFor) = (time.GetTimestamp(), RetryAfterNoAnswer);
            return _document.DeepClone().AsObject();
        }
        finally
        {
            _asking.Release();
        }
    }

    public void Dispose() => _asking.Dispose();

    private JsonObject? Fresh() =>
        _document is { } document && time.GetElapsedTime(_keptSince) < _keptFor ? document.DeepClone().AsObject() : null;

    private static async Task<JsonObject?> FromPodAsync(HttpClient client, string pod, CancellationToken cancellationToken)
    {
        try
        {
            using HttpResponseMessage response = await client.GetAsync(new Uri(new Uri(pod), "/openapi/v1.json"), cancellationToken);
            return response.IsSuccessStatusCode && JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) is JsonObject document
                ? GatewayOpenApiDocument.FromPod(document)
                : null;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or UriFormatException
            && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
