using Microsoft.AspNetCore.Http.Features;

namespace Quicksilver.Http;

/// <summary>
/// Room for Kestrel to drain a body answered before it was read whole (a 413 for its size, the gateway's 401). Once the
/// answer is sent, Kestrel reads and drops the rest of the body (for 5 s at most) before it closes the connection, but
/// not past the request's <c>MaxRequestBodySize</c>; and a connection closed with bytes unread is reset by the kernel, a
/// reset that can overtake the answer at a client still sending (most read the answer only once they have sent the
/// whole body). So the limit is the app's to enforce, and
/// Kestrel's is set <see cref="AllowanceBytes"/> above it (for each request on a pod, for all on the gateway, which
/// answers some before it reads their bodies); a body larger than that, or slower, still gets the reset. Shared by the
/// pods and the gateway.
/// </summary>
internal static class RequestBodyDrain
{
    public const long AllowanceBytes = 16 * 1024 * 1024;

    /// <summary>Sets the request's Kestrel limit to <paramref name="limit"/> plus the allowance, unless its body is being read already.</summary>
    public static void AllowPast(HttpContext context, long limit)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } kestrel)
        {
            kestrel.MaxRequestBodySize = limit + AllowanceBytes;
        }
    }
}
