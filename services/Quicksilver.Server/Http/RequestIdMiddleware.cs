using System.Buffers;
using System.Collections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Quicksilver.Http;

/// <summary>
/// <c>X-Request-Id</c> on every response, as OpenAI's API sends one: the caller's own id when it sends a usable one
/// (1–128 of <c>A-Z a-z 0-9 - _ . : / + =</c>; vLLM honours it too, and the gateway sends its own to the pods), else a
/// new <c>req_</c> + 32 hex digits. The id is the request header from here on, so the gateway forwards it to the pod
/// that serves the request; it is the <see cref="HttpContext.TraceIdentifier"/>; and every log record the request
/// writes carries it as the scope value <c>XRequestId</c> (ASP.NET's own <c>RequestId</c> scope is fixed before any
/// middleware runs). A response that already carries one (a pod's, relayed by the gateway) keeps it. One source
/// file, compiled into the pod server and the gateway.
/// </summary>
internal sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    /// <summary>The header, in requests and responses.</summary>
    public const string HeaderName = "X-Request-Id";

    /// <summary>The log scope's key.</summary>
    public const string ScopeKey = "XRequestId";

    private const int MaxLength = 128;
    private static readonly SearchValues<char> Allowed = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:/+=");

    public async Task InvokeAsync(HttpContext context)
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
        using (logger.BeginScope(new RequestIdScope(id)))
        {
            await next(context);
        }
    }

    private static string? Usable(string? id) =>
        id is { Length: > 0 and <= MaxLength } && !id.AsSpan().ContainsAnyExcept(Allowed) ? id : null;

    /// <summary>The scope's one key/value pair, in the shape log exporters read (and <c>XRequestId:…</c> as text).</summary>
    private sealed class RequestIdScope(string id) : IReadOnlyList<KeyValuePair<string, object>>
    {
        public int Count => 1;

        public KeyValuePair<string, object> this[int index] =>
            index == 0 ? new(ScopeKey, id) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
        {
            yield return this[0];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"{ScopeKey}:{id}";
    }
}
