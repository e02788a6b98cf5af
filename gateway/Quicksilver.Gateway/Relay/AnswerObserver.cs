using Quicksilver.Gateway.RateLimiting;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Telemetry;

namespace Quicksilver.Gateway.Relay;

/// <summary>
/// Settles one answer: its usage is debited from the tenant's token budget and counted on the gateway's meters (once),
/// and a pod that broke mid-answer is ejected. An answer that ends without its usage is debited its ceiling
/// (<see cref="ProxiedRequest.AnswerTokenCeiling"/>) plus <paramref name="promptTokens"/> (as its pod announced
/// them): the pod spent device time on it, and leaving before the usage chunk must not be a way around the
/// budget. One the platform failed (the pod broke, or sent an error event) is
/// settled with no debit: the failure is not the tenant's.
/// </summary>
internal sealed class AnswerObserver(HttpContext context, ProxiedRequest request, TenantTokenBudgets budgets, PodEjection ejection, GatewayMetrics metrics, int promptTokens) : IAnswerObserver
{
    private int _settled;

    public void OnUsage(RelayedUsage usage)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 1)
        {
            return;
        }

        budgets.Debit(request.Tenant, usage.TotalTokens);
        metrics.Usage(request, usage);
    }

    public void OnPodError() => Interlocked.Exchange(ref _settled, 1);

    public void OnEnded()
    {
        if (Interlocked.Exchange(ref _settled, 1) == 1)
        {
            return;
        }

        DebitCeiling(request, budgets, metrics, promptTokens);
    }

    /// <summary>
    /// Settles a request whose usage will never come (the client left before it): debits its ceiling plus the prompt
    /// tokens its pod announced (0 when the client left before the pod's headers) and counts it unsettled.
    /// </summary>
    public static void DebitCeiling(ProxiedRequest request, TenantTokenBudgets budgets, GatewayMetrics metrics, int promptTokens)
    {
        budgets.Debit(request.Tenant, request.AnswerTokenCeiling + promptTokens);
        metrics.Unsettled(request.Tenant, request.Model);
    }

    public void OnBroken(Exception? failure)
    {
        Interlocked.Exchange(ref _settled, 1);
        ejection.EjectProxiedPod(context);
        metrics.StreamBroken(request.Model);
    }
}
