using System.Collections.Concurrent;
using Quicksilver.Gateway.Tenancy;

namespace Quicksilver.Gateway.RateLimiting;

/// <summary>One <see cref="TokenBudget"/> per tenant (a new one when the tenant's limit changes), shared by admission and debit.</summary>
internal sealed class TenantTokenBudgets(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Tenant, long TokensPerMinute), TokenBudget> _budgets = new();

    /// <summary>The budget of <paramref name="tenant"/>, or null when it has no tokens-per-minute limit.</summary>
    public TokenBudget? For(Tenant tenant) =>
        tenant.TokensPerMinute is { } limit ? _budgets.GetOrAdd((tenant.Id, limit), key => new TokenBudget(key.TokensPerMinute, time)) : null;
}
