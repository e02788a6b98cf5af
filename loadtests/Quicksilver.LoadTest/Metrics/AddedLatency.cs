namespace Quicksilver.LoadTest.Metrics;

/// <summary>
/// What the gateway adds to one latency metric: the gateway's percentile minus the direct path's, in ms
/// (gateway-vs-direct sends each request at random through the gateway or straight to the same pod, so both paths
/// see the same pod load in the same seconds). A negative value is noise: too few samples for that percentile.
/// </summary>
internal sealed record AddedLatency(string Metric, double P50Ms, double P90Ms, double P99Ms)
{
    /// <summary>TTFT and E2E added by <paramref name="gateway"/> over <paramref name="direct"/>.</summary>
    public static IReadOnlyList<AddedLatency> Between(RunSummary gateway, RunSummary direct) =>
    [
        Of("TTFT", gateway.TtftMs, direct.TtftMs),
        Of("E2E", gateway.E2eMs, direct.E2eMs),
    ];

    private static AddedLatency Of(string metric, Distribution gateway, Distribution direct) =>
        new(metric, gateway.P50 - direct.P50, gateway.P90 - direct.P90, gateway.P99 - direct.P99);
}
