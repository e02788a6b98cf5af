using System.Collections.Concurrent;

namespace Quicksilver.Server.Health;

/// <summary>
/// Whether this pod should get traffic (<c>GET /health/ready</c>). Ready when no reason holds it down; it starts held
/// by <see cref="ModelLoading"/>. Anything can add its own reason and lift it later (draining before shutdown,
/// a dead engine loop…).
/// </summary>
internal sealed class ServerReadiness
{
    /// <summary>Held until the model is loaded.</summary>
    public const string ModelLoading = "model loading";

    /// <summary>For a pod finishing its requests before shutdown.</summary>
    public const string Draining = "draining";

    private readonly ConcurrentDictionary<string, byte> reasons = new(StringComparer.Ordinal) { [ModelLoading] = 0 };

    public bool IsReady => reasons.IsEmpty;

    /// <summary>What holds readiness down, sorted; empty when ready.</summary>
    public IReadOnlyList<string> NotReadyReasons => [.. reasons.Keys.Order(StringComparer.Ordinal)];

    public void SetNotReady(string reason) => reasons[reason] = 0;

    public void SetReady(string reason) => reasons.TryRemove(reason, out _);
}
