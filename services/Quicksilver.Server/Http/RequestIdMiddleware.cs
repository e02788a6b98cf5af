using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Quicksilver.Http;

/// <summary>
/// <c>X-Request-Id</c> on every response, as OpenAI's API sends it (the SDKs expose it as the response's request id):
/// the caller's own id when it sends a usable one (1–128 of <c>A-Z a-z 0-9 - _ . : / + =</c>), else a new
/// <c>req_</c> + 32 hex digits. The id becomes the request's <see cref="HttpContext.TraceIdentifier"/> (the
/// <c>RequestId</c> of its log lines) and its request header, so the gateway forwards it to the pod that serves the
/// request and both logs name the same id. A response that already carries one (a pod's, relayed by the gateway)
/// keeps it. One source file, compiled into the pod server and the gateway.
/// </summary>
internal sealed class RequestIdMiddleware(RequestDelegate next)
{
    /// <summary>The header, in requests and responses.</summary>
    public const string HeaderName = "X-Request-Id";

    private const int MaxLength = 128;
    private static readonly SearchValues<char> Allowed = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:/+=");

    public Task InvokeAsync(HttpContext context)
    {
        string id = Usable(context.Request.Headers[HeaderName]) ?? $"req_{Guid.NewGuid():N}";
        context.TraceIdentifier = id;
        context.Request.Headers[HeaderName] = id;
        context.Response.OnStarting(() =>
        {
            if (!context.Response.Headers.ContainsKey(HeaderName))
            {
                context.Response.Headers[HeaderName] = id;
            }

            return Task.CompletedTask;
        });
        return next(context);
    }

    private static string? Usable(string? id) =>
        id is { Length: > 0 and <= MaxLength } && !id.AsSpan().ContainsAnyExcept(Allowed) ? id : null;
}
