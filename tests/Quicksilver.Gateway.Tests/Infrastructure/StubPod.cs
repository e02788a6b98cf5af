using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Quicksilver.Gateway.Tests.Infrastructure;

/// <summary>
/// A real Kestrel server on loopback that looks like a ready pod but refuses every generation with a fixed status
/// (429 or 503, OpenAI's shape, <c>Retry-After</c>), as an overloaded pod does: for the gateway's retry paths. Or,
/// started with <see cref="StartStallingStreamAsync"/>, one that begins every answer's stream and never ends it, or
/// with <see cref="StartSilentAsync"/>, one that never begins an answer. Its <c>GET /v1/models</c> serves a card with
/// <see cref="ModelCardContextLength"/>, or, once <see cref="StallModelCards"/> is set, nothing until the client leaves.
/// </summary>
public sealed class StubPod : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _readiness = new();
    private int _received;
    private int _readinessChecks;
    private int _modelCardRequests;
    private int _readinessFailuresLeft;
    private volatile bool _stallModelCards;
    private volatile bool _hung;
    private int _ready = NotSaid;
    private int _loadStatus = StatusCodes.Status200OK;

    private StubPod(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public const int ModelCardContextLength = 4242;

    private const int NotSaid = -1;

    public Uri Address { get; }

    /// <summary>Whether <c>GET /v1/models</c> hangs, as a stalled pod's would, instead of serving the card.</summary>
    public bool StallModelCards
    {
        get => _stallModelCards;
        set => _stallModelCards = value;
    }

    /// <summary>
    /// Whether the pod is hung, as a stopped (<c>SIGSTOP</c>) or wedged process is: it still accepts connections, but its
    /// <c>GET /load</c> and readiness checks get no answer until the client leaves.
    /// </summary>
    public bool Hung
    {
        get => _hung;
        set => _hung = value;
    }

    /// <summary>
    /// Whether the pod is ready, as a real pod says it both on <c>GET /health/ready</c> (503 when not) and in its
    /// <c>GET /load</c> report (<c>"ready"</c>), whatever <see cref="FailReadinessChecks"/> said; null, the default,
    /// leaves <c>"ready"</c> out of the report, as an older pod would, and readiness checks to <see cref="FailReadinessChecks"/>.
    /// </summary>
    public bool? Ready
    {
        get => Volatile.Read(ref _ready) switch { NotSaid => null, var ready => ready == 1 };
        set => Volatile.Write(ref _ready, value switch { null => NotSaid, true => 1, false => 0 });
    }

    /// <summary>
    /// The status <c>GET /load</c> answers with: 200 and a report of an idle pod by default; anything else, with an
    /// error body and no report, as a pod with a broken load endpoint might.
    /// </summary>
    public int LoadStatus
    {
        get => Volatile.Read(ref _loadStatus);
        set => Volatile.Write(ref _loadStatus, value);
    }

    /// <summary><c>GET /v1/models</c> requests received so far, stalled ones included.</summary>
    public int ModelCardRequests => Volatile.Read(ref _modelCardRequests);

    /// <summary>Generation requests received so far, each counted once its whole body is read.</summary>
    public int Received => _received;

    /// <summary>Readiness checks received so far.</summary>
    public int ReadinessChecks
    {
        get
        {
            lock (_readiness)
            {
                return _readinessChecks;
            }
        }
    }

    /// <summary>The <c>X-Request-Id</c> of the last generation request, as the gateway forwarded it.</summary>
    public string? LastRequestId { get; private set; }

    /// <summary>
    /// Starts a pod that refuses every generation with <paramref name="status"/> and <c>Retry-After: <paramref name="retryAfterSeconds"/></c>
    /// (and <c>X-Quicksilver-No-Retry: <paramref name="noRetry"/></c> when given).
    /// </summary>
    public static Task<StubPod> StartAsync(int status, int retryAfterSeconds = 1, string? noRetry = null) => StartAsync(async (stub, context) =>
    {
        stub.LastRequestId = context.Request.Headers["X-Request-Id"];
        context.Response.StatusCode = status;
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (noRetry is not null)
        {
            context.Response.Headers["X-Quicksilver-No-Retry"] = noRetry;
        }

        await context.Response.WriteAsJsonAsync(new { error = new { message = "The server's queue is full.", type = "RateLimitError", param = (string?)null, code = status } });
    });

    /// <summary>
    /// Starts a pod that announces <paramref name="promptTokens"/> prompt tokens, sends every answer's first chunk and
    /// then nothing more until the client leaves.
    /// </summary>
    public static Task<StubPod> StartStallingStreamAsync(int promptTokens) => StartAsync(async (_, context) =>
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers["X-Quicksilver-Prompt-Tokens"] = promptTokens.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.Response.WriteAsync("data: {\"id\":\"cmpl-stub\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"Hi\",\"finish_reason\":null}]}\n\n");
        await context.Response.Body.FlushAsync();
        await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
    });

    /// <summary>
    /// Starts a pod that takes every generation request and sends nothing, not even headers, until the client leaves:
    /// a non-streamed answer still being generated. Its <c>GET /load</c> reports <paramref name="chatDefaultMaxTokens"/>
    /// as the budget of a chat request that names none.
    /// </summary>
    public static Task<StubPod> StartSilentAsync(int chatDefaultMaxTokens = 1024) => StartAsync(
        async (_, context) => await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default),
        chatDefaultMaxTokens);

    private static async Task<StubPod> StartAsync(Func<StubPod, HttpContext, Task> generate, int chatDefaultMaxTokens = 1024)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        StubPod? stub = null;
        app.MapGet("/health/ready", async (HttpContext context) => await UnlessHungAsync(stub!, context) ?? stub!.CheckReadiness());
        app.MapGet("/load", async (HttpContext context) => await UnlessHungAsync(stub!, context) ?? (stub!.LoadStatus == StatusCodes.Status200OK
            ? Results.Text(
                $$"""{"model":"quicksilver-tiny","waiting":0,"running":0,"tokens_in_flight":0,"draining":false{{ReadyField(stub.Ready)}},"max_tokens":1024,"chat_default_max_tokens":{{chatDefaultMaxTokens}}}""",
                "application/json")
            : Results.Text("""{"error":{"message":"broken","type":"InternalServerError","param":null,"code":null}}""", "application/json", statusCode: stub.LoadStatus)));
        app.MapGet("/v1/models", async (HttpContext context) =>
        {
            Interlocked.Increment(ref stub!._modelCardRequests);
            if (stub.StallModelCards)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            await context.Response.WriteAsync(
                $$"""{"object":"list","data":[{"id":"quicksilver-tiny","object":"model","created":1,"owned_by":"quicksilver","max_model_len":{{ModelCardContextLength}}}]}""");
        });
        app.MapPost("/v1/{**rest}", async (HttpContext context) =>
        {
            // Kestrel runs the endpoint once the headers are in: a request whose body is still on its way is not yet
            // received (its client leaving then cancels the body, not the answer).
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            Interlocked.Increment(ref stub!._received);
            await generate(stub, context);
        });
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        stub = new StubPod(app, new Uri(address));
        return stub;
    }

    /// <summary>Waits until the client leaves when the pod is hung (and then answers nothing); null when it is not.</summary>
    private static async Task<IResult?> UnlessHungAsync(StubPod stub, HttpContext context)
    {
        if (!stub.Hung)
        {
            return null;
        }

        await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        return Results.Empty;
    }

    private static string ReadyField(bool? ready) => ready is bool value ? $",\"ready\":{(value ? "true" : "false")}" : "";

    /// <summary>Answers the next <paramref name="checks"/> readiness checks with 503.</summary>
    public void FailReadinessChecks(int checks)
    {
        lock (_readiness)
        {
            _readinessFailuresLeft = checks;
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private IResult CheckReadiness()
    {
        lock (_readiness)
        {
            _readinessChecks++;
            if (Ready is bool ready)
            {
                return ready ? Results.Text("ready") : Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            if (_readinessFailuresLeft == 0)
            {
                return Results.Text("ready");
            }

            _readinessFailuresLeft--;
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
    }
}
