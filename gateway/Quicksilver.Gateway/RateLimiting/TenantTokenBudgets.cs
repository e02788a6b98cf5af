using System.Collections.Concurrent;
using Quicksilver.Gateway.Tenancy;

namespace Quicksilver.Gateway.RateLimiting;

/// <summary>
/// One <see cref="TokenBudget"/> per tenant, shared by admission and debit. A changed limit resizes the tenant's budget
/// in place, so what it owes survives the change, and answers admitted under the old limit debit the same budget.
/// </summary>
internal sealed class TenantTokenBudgets(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, TokenBudget> _budgets = new(StringComparer.Ordinal);

    /// <summary>The budget admission checks for <paramref name="tenant"/> as configured now, or null when it has no tokens-per-minute limit.</summary>
    public TokenBudget? For(Tenant tenant)
    {
        if (tenant.TokensPerMinute is not { } limit)
        {
            return null;
        }

        TokenBudget budget = _budgets.GetOrAdd(tenant.Id, _ => new TokenBudget(limit, time));
        if (budget.TokensPerMinute != limit)
        {
            budget.Resize(limit);
        }

        return budget;
    }

    /// <summary>The tenant's budget as it stands, or null when it has none; unlike <see cref="For"/>, changes nothing.</summary>
    public TokenBudget? Find(string tenantId) => _budgets.GetValueOrDefault(tenantId);

    /// <summary>Debits an answer's <paramref name="tokens"/> from its tenant's budget, whatever the tenant's limit is now.</summary>
    public void Debit(Tenant tenant, long tokens)
    {
        if (_budgets.TryGetValue(tenant.Id, out TokenBudget? budget))
        {
            budget.Debit(tokens);
        }
    }
}
