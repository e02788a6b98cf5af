using System.Diagnostics;
using System.Text.Json.Nodes;
using Quicksilver.LoadTest.Client;
using Quicksilver.LoadTest.Tests.Infrastructure;

namespace Quicksilver.LoadTest.Tests.Client;

/// <summary>The client against a real loopback server streaming scripted SSE with delays.</summary>
public sealed class LoadClientTests : IAsyncLifetime, IDisposable
{
    private ScriptedSseServer _server = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync() => _server = await ScriptedSseServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _http.Dispose();

    private Task<RequestResult> SendAsync(string script, bool stream = true, bool hangUp = false, bool chat = false)
    {
        var body = new JsonObject { ["model"] = "m", ["stream"] = stream };
        if (chat)
        {
            body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = script });
        }
        else
        {
            body["prompt"] = script;
        }

        return new LoadClient(_http).SendAsync(new Target("stub", _server.Address, "key"), chat ? "/v1/chat/completions" : "/v1/completions", body, Stopwatch.GetTimestamp(), hangUp, CancellationToken.None);
    }

    [Fact]
    public async Task Stream_is_timed_per_text_event_and_takes_tokens_and_cost_from_usage()
    {
        RequestResult r = await SendAsync("timed");
        Assert.Equal(Outcome.Ok, r.Outcome);
        // TTFT is the first event with text (300 ms), not the role-only chunk sent at once. Only lower bounds come from the
        // server's sleeps; upper bounds come from the client's own clock, since a loaded CI machine can stall any read for seconds.
        Assert.InRange(r.TtftMs!.Value, 280, r.E2eMs);
        Assert.Equal(2, r.ItlMs.Length);
        // One gap alone has no sound lower bound (a late first event shortens the next gap), but the last text event
        // cannot arrive before the server sent it, 300 + 200 + 200 ms after the request, nor after the request ended.
        Assert.All(r.ItlMs, gap => Assert.InRange(gap, 0, r.E2eMs));
        Assert.InRange(r.TtftMs.Value + r.ItlMs.Sum(), 680, r.E2eMs);
        Assert.Equal((64, 3, 0.5, 0.002, 16), (r.OutputTokens, r.PromptTokens, r.GpuSeconds!.Value, r.CostUsd!.Value, r.Steps!.Value));
        Assert.Equal((r.E2eMs - r.TtftMs.Value) / 63, r.TpotMs!.Value, 9);
    }

    [Fact]
    public async Task Chat_deltas_count_as_text()
    {
        RequestResult r = await SendAsync("timed", chat: true);
        Assert.Equal(Outcome.Ok, r.Outcome);
        Assert.Equal(2, r.ItlMs.Length);
    }

    [Fact]
    public async Task Non_stream_answer_has_ttft_equal_to_e2e_and_usage()
    {
        RequestResult r = await SendAsync("non-stream", stream: false);
        Assert.Equal(Outcome.Ok, r.Outcome);
        Assert.InRange(r.TtftMs!.Value, 140, r.E2eMs);
        Assert.Equal(5, r.OutputTokens);
    }

    [Fact]
    public async Task Http_error_is_classified_by_status_and_openai_type()
    {
        RequestResult r = await SendAsync("429");
        Assert.Equal((Outcome.HttpError, 429, "rate_limit_error", "429 rate_limit_error"), (r.Outcome, r.Status, r.ErrorType, r.ErrorKey));
    }

    [Fact]
    public async Task Error_event_after_200_is_lost_with_its_type()
    {
        RequestResult r = await SendAsync("error-event");
        Assert.Equal((Outcome.Lost, 200, "lost: server_error"), (r.Outcome, r.Status, r.ErrorKey));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("no-done")]
    public async Task Stream_ending_without_done_is_lost_as_truncated(string script)
    {
        RequestResult r = await SendAsync(script);
        Assert.Equal((Outcome.Lost, "lost: truncated"), (r.Outcome, r.ErrorKey));
        Assert.NotNull(r.TtftMs);
    }

    [Fact]
    public async Task Connection_refused_is_lost_as_transport()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        RequestResult r = await new LoadClient(_http).SendAsync(new Target("nobody", new Uri($"http://127.0.0.1:{port}"), null), "/v1/completions",
            new JsonObject { ["prompt"] = "x", ["stream"] = true }, Stopwatch.GetTimestamp(), false, CancellationToken.None);
        Assert.Equal((Outcome.Lost, null, "lost: transport"), (r.Outcome, r.Status, r.ErrorKey));
    }

    [Fact]
    public async Task Hang_up_after_first_event_cancels_the_stream_and_the_server_sees_it()
    {
        RequestResult r = await SendAsync("slow", hangUp: true);
        Assert.Equal(Outcome.Cancelled, r.Outcome);
        Assert.Null(r.ErrorKey);
        DateTime deadline = DateTime.UtcNow.AddSeconds(5);
        while (_server.HungUp == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        // The server counts an abort only while it still had events to send, so this also proves the client did not read it all.
        Assert.Equal(1, _server.HungUp);
    }
}
