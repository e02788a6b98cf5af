using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Quicksilver.Server.Tests.Infrastructure;

public static class ChatHttpClientExtensions
{
    private static readonly Uri ChatCompletions = new("/v1/chat/completions", UriKind.Relative);

    /// <summary>POSTs a raw body to <c>/v1/chat/completions</c> as <c>application/json</c> (or the given type).</summary>
    public static Task<HttpResponseMessage> PostChatCompletionAsync(this HttpClient client, string body, string? contentType = "application/json")
    {
        ArgumentNullException.ThrowIfNull(client);
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        return client.PostAsync(ChatCompletions, content);
    }

    public static Task<HttpResponseMessage> PostChatCompletionAsync(this HttpClient client, JsonObject body) =>
        client.PostChatCompletionAsync(body.ToJsonString());
}
