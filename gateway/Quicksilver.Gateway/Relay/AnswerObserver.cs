using Quicksilver.Gateway.RateLimiting;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Telemetry;

namespace Quicksilver.Gateway.Relay;

/// <summary>
/// Settles one answer: its usage is debited from the tenant's token budget and counted on the gateway's meters (once),
/// and a pod that broke mid-answer is ejected.
/// </summary>
internal sealed class AnswerObserver(HttpContext context, ProxiedRequest request, TenantTokenBudgets budgets, PodEjection ejection, GatewayMetrics metrics) : IAnswerObserver
{
    private int _settled;

    public void OnUsage(RelayedUsage usage)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 1)
        {
            return;
        }

        budgets.For(request.Tenant)?.Debit(usage.TotalTokens);
        metrics.Usage(request.Tenant, request.Model, usage);
    }

    public void OnBroken(Exception? failure)
    {
        ejection.EjectProxiedPod(context);
        metrics.StreamBroken(request.Model);
    }
}
