using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Quicksilver.LoadTest.Tests.Infrastructure;

/// <summary>
/// A real Kestrel server on a loopback port that answers <c>/v1/completions</c> with a script chosen by the request's
/// prompt: SSE events with delays between them, an HTTP error, an error event after 200, a cut connection.
/// </summary>
public sealed class ScriptedSseServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _hungUp;

    private ScriptedSseServer(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    /// <summary>Streams whose client went away before the script ended.</summary>
    public int HungUp => _hungUp;

    public static async Task<ScriptedSseServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var server = new ScriptedSseServer(app);
        app.MapPost("/v1/completions", server.AnswerAsync);
        app.MapPost("/v1/chat/completions", server.AnswerAsync);
        await app.StartAsync();
        server.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string Text(string text) => new JsonObject { ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["text"] = text }) }.ToJsonString();

    private static string Delta(string text) => new JsonObject { ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["content"] = text } }) }.ToJsonString();

    private const string Usage = """{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":64,"total_tokens":67,"gpu_seconds":0.5,"cost_usd":0.002,"denoising_steps":16}}""";

    private async Task AnswerAsync(HttpContext context)
    {
        JsonNode body = (await JsonNode.ParseAsync(context.Request.Body))!;
        string script = body["prompt"]?.GetValue<string>() ?? body["messages"]![0]!["content"]!.GetValue<string>();
        bool includeUsage = body["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
        CancellationToken aborted = context.RequestAborted;
        async Task Send(string data, int delayMs = 0)
        {
            if (delayMs > 0)
            {
                await Task.Delay(delayMs, aborted);
            }

            await context.Response.WriteAsync($"data: {data}\n\n", aborted);
            await context.Response.Body.FlushAsync(aborted);
        }

        if (script == "429")
        {
            context.Response.StatusCode = 429;
            await context.Response.WriteAsJsonAsync(new { error = new { message = "queue full", type = "rate_limit_error", param = (string?)null, code = 429 } });
            return;
        }

        if (script == "non-stream")
        {
            await Task.Delay(150);
            await context.Response.WriteAsync("""{"choices":[{"index":0,"text":"abc"}],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8,"gpu_seconds":0.1,"cost_usd":0.0001}}""");
            return;
        }

        context.Response.ContentType = "text/event-stream";
        try
        {
            switch (script)
            {
                case "timed":
                    // A role-only chunk first (no text: not the first token), then three blocks 200 ms apart.
                    await Send("""{"choices":[{"index":0,"delta":{"role":"assistant"}}]}""");
                    await Send(Text("block one"), 300);
                    await Send(Text("block two"), 200);
                    await context.Response.WriteAsync(": keep-alive comment\n\n", aborted);
                    await Send(Delta("block three"), 200);
                    if (includeUsage)
                    {
                        await Send(Usage);
                    }

                    await Send("[DONE]");
                    break;
                case "error-event":
                    await Send(Text("half"), 50);
                    await Send("""{"error":{"message":"engine failed","type":"server_error","param":null,"code":500}}""");
                    await Send("[DONE]");
                    break;
                case "truncated":
                    await Send(Text("half"), 50);
                    // Let the client read the headers and the event first: a reset discards what it has not read.
                    await Task.Delay(3000, aborted);
                    context.Abort();
                    break;
                case "no-done":
                    await Send(Text("half"), 50);
                    break;
                case "slow":
                    for (int i = 0; i < 50; i++)
                    {
                        await Send(Text("x"), 100);
                    }

                    await Send("[DONE]");
                    break;
                default:
                    throw new InvalidOperationException($"No script '{script}'.");
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            Interlocked.Increment(ref _hungUp);
        }
    }
}
