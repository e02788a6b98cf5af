using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Quicksilver.Server.Tests.Infrastructure;

public static class HttpClientExtensions
{
    private static readonly Uri Completions = new("/v1/completions", UriKind.Relative);

    /// <summary>POSTs a raw body to <c>/v1/completions</c> as <c>application/json</c> (or the given type).</summary>
    public static Task<HttpResponseMessage> PostCompletionAsync(this HttpClient client, string body, string? contentType = "application/json")
    {
        ArgumentNullException.ThrowIfNull(client);
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        return client.PostAsync(Completions, content);
    }

    public static Task<HttpResponseMessage> PostCompletionAsync(this HttpClient client, JsonObject body) =>
        client.PostCompletionAsync(body.ToJsonString());

    public static async Task<JsonObject> ReadJsonObjectAsync(this HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        string text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text)?.AsObject() ?? throw new JsonException($"Not a JSON object: {text}");
    }
}
