using Quicksilver.Engine.Metering;

namespace Quicksilver.Server.Tenancy;

/// <summary>Who sent a request, as <see cref="TenancyFilter"/> established it (a request feature).</summary>
/// <param name="Tenant">The tenant to bill: the gateway's <c>X-Quicksilver-Tenant</c>, else <c>anonymous</c>.</param>
/// <param name="FromGateway">Whether the request carried the gateway's key.</param>
/// <param name="WantsUsage">Whether the gateway asked for a stream's usage chunk (<c>X-Quicksilver-Include-Usage: true</c>).</param>
internal sealed record Caller(string Tenant, bool FromGateway, bool WantsUsage)
{
    /// <summary>A request not from the gateway.</summary>
    public static Caller Anonymous { get; } = new(Tenants.Anonymous, FromGateway: false, WantsUsage: false);

    /// <summary>The caller of a request; <see cref="Anonymous"/> where no <see cref="TenancyFilter"/> ran.</summary>
    public static Caller Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<Caller>() ?? Anonymous;
    }
}
