namespace Quicksilver.Gateway.Tenancy;

internal static class HttpContextTenantExtensions
{
    /// <summary>The authenticated tenant of the request, or null before authentication or outside <c>/v1</c>.</summary>
    public static Tenant? GetTenant(this HttpContext context) => context.Features.Get<Tenant>();
}
