namespace Quicksilver.Server.Telemetry;

/// <summary>
/// Explicit bucket boundaries for the latency and throughput histograms. The OpenTelemetry defaults (0, 5, 10, 25 …
/// 10000) are meant for milliseconds and would put every LLM latency in seconds into the first two buckets.
/// </summary>
internal static class HistogramBuckets
{
    /// <summary>End-to-end generation time (s): the GenAI conventions' advice for <c>gen_ai.server.request.duration</c>.</summary>
    public static IReadOnlyList<double> RequestDuration { get; } =
        [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    /// <summary>Time to the first finalised block (s): the GenAI conventions' advice for <c>gen_ai.server.time_to_first_token</c>.</summary>
    public static IReadOnlyList<double> TimeToFirstToken { get; } =
        [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];

    /// <summary>Time per output token after the first (s): the GenAI conventions' advice for <c>gen_ai.server.time_per_output_token</c>.</summary>
    public static IReadOnlyList<double> TimePerOutputToken { get; } =
        [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];

    /// <summary>One denoising step, a forward pass over the batch (s).</summary>
    public static IReadOnlyList<double> StepDuration { get; } =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

    /// <summary>Sequences in one step's batch.</summary>
    public static IReadOnlyList<double> BatchSize { get; } = [1, 2, 4, 8, 16, 32, 64, 128, 256];

    /// <summary>Tokens committed per step, by one sequence in one step or on average over a request.</summary>
    public static IReadOnlyList<double> TokensPerStep { get; } = [0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 32, 64];
}
