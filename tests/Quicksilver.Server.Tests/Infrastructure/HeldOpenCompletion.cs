using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json.Nodes;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// A streamed completion held open after its first event (a fake engine paused after a block keeps it so), for tests
/// that look at the server while a generation runs.
/// </summary>
public sealed class HeldOpenCompletion : IAsyncDisposable
{
    private readonly HttpRequestMessage _request;
    private readonly Stream _body;
    private readonly IAsyncEnumerator<SseItem<string>> _events;

    private HeldOpenCompletion(HttpRequestMessage request, HttpResponseMessage response, Stream body)
    {
        _request = request;
        Response = response;
        _body = body;
        _events = SseParser.Create(body).EnumerateAsync().GetAsyncEnumerator();
    }

    /// <summary>The stream's response, its headers read.</summary>
    public HttpResponseMessage Response { get; }

    /// <summary>POSTs <paramref name="body"/> (with <c>stream: true</c>) to <c>/v1/completions</c> and waits for the first event.</summary>
    public static async Task<HeldOpenCompletion> StartAsync(HttpClient client, JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(body);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/completions", UriKind.Relative))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = new HeldOpenCompletion(request, response, await response.Content.ReadAsStreamAsync());
        Assert.True(await stream._events.MoveNextAsync(), "the stream ended before its first event");
        return stream;
    }

    /// <summary>Reads the rest of the stream.</summary>
    public async Task ReadToEndAsync()
    {
        while (await _events.MoveNextAsync())
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _events.DisposeAsync();
        await _body.DisposeAsync();
        Response.Dispose();
        _request.Dispose();
    }
}
