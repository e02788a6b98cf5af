using System.Text.Json;

namespace Quicksilver.Gateway.Relay;

/// <summary>The <c>usage</c> object of an answer as a pod reported it, with the cost extension.</summary>
/// <param name="PromptTokens"><c>prompt_tokens</c>.</param>
/// <param name="CompletionTokens"><c>completion_tokens</c>.</param>
/// <param name="TotalTokens"><c>total_tokens</c>.</param>
/// <param name="GpuSeconds"><c>gpu_seconds</c>, when the pod reports it.</param>
/// <param name="CostUsd"><c>cost_usd</c>, when the pod reports it.</param>
internal sealed record RelayedUsage(long PromptTokens, long CompletionTokens, long TotalTokens, double? GpuSeconds, double? CostUsd)
{
    /// <summary>Reads the top-level <c>usage</c> of an answer or chunk; null when absent, null or malformed.</summary>
    public static RelayedUsage? FromAnswer(JsonElement answer)
    {
        if (answer.ValueKind != JsonValueKind.Object
            || !answer.TryGetProperty("usage", out JsonElement usage)
            || usage.ValueKind != JsonValueKind.Object
            || !TryGetLong(usage, "prompt_tokens", out long prompt)
            || !TryGetLong(usage, "completion_tokens", out long completion))
        {
            return null;
        }

        long total = TryGetLong(usage, "total_tokens", out long reported) ? reported : prompt + completion;
        return new RelayedUsage(prompt, completion, total, TryGetDouble(usage, "gpu_seconds"), TryGetDouble(usage, "cost_usd"));
    }

    private static bool TryGetLong(JsonElement usage, string name, out long value)
    {
        value = 0;
        return usage.TryGetProperty(name, out JsonElement element) && element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value);
    }

    private static double? TryGetDouble(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out JsonElement element) && element.ValueKind == JsonValueKind.Number ? element.GetDouble() : null;
}
