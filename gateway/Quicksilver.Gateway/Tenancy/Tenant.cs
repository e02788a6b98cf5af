namespace Quicksilver.Gateway.Tenancy;

/// <summary>A customer of the platform: who pays for the tokens its API keys spend.</summary>
/// <param name="Id">The tenant id stamped on forwarded requests and on every metric (<c>quicksilver.tenant</c>).</param>
/// <param name="Models">The models the tenant may call; null means all.</param>
/// <param name="RequestsPerMinute">Requests allowed per minute; null means unlimited.</param>
/// <param name="TokensPerMinute">Tokens (prompt + completion) allowed per minute; null means unlimited.</param>
internal sealed record Tenant(string Id, IReadOnlySet<string>? Models, int? RequestsPerMinute, long? TokensPerMinute)
{
    /// <summary>Whether the tenant may call <paramref name="model"/>.</summary>
    public bool MayUse(string model) => Models is null || Models.Contains(model);
}
