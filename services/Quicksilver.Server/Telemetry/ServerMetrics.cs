using System.Diagnostics.Metrics;

namespace Quicksilver.Server.Telemetry;

/// <summary>
/// The per-request instruments of meter <c>Quicksilver.Server</c>, recorded by <see cref="RequestTelemetry"/>:
/// the GenAI server metrics (request duration, time to first token, time per output token) and the server's own
/// token counter and diffusion throughput. Bucket boundaries travel with the instruments as advice.
/// </summary>
internal static class ServerMetrics
{
    public const string RequestDurationName = "gen_ai.server.request.duration";
    public const string TimeToFirstTokenName = "gen_ai.server.time_to_first_token";
    public const string TimePerOutputTokenName = "gen_ai.server.time_per_output_token";
    public const string TokensName = "quicksilver.server.tokens";
    public const string TokensPerStepName = "quicksilver.server.diffusion.tokens_per_step";

    public static Histogram<double> RequestDuration { get; } = ServerDiagnostics.Meter.CreateHistogram(
        RequestDurationName,
        "s",
        "Time from the start of a generation to its last output token (or its failure).",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = HistogramBuckets.RequestDuration });

    public static Histogram<double> TimeToFirstToken { get; } = ServerDiagnostics.Meter.CreateHistogram(
        TimeToFirstTokenName,
        "s",
        "Time from the start of a successful generation to its first finalised block of the canvas.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = HistogramBuckets.TimeToFirstToken });

    public static Histogram<double> TimePerOutputToken { get; } = ServerDiagnostics.Meter.CreateHistogram(
        TimePerOutputTokenName,
        "s",
        "Time per output token after the first finalised block: (duration - time to first token) / the tokens after the first block, for successful generations with tokens after it.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = HistogramBuckets.TimePerOutputToken });

    public static Counter<long> Tokens { get; } = ServerDiagnostics.Meter.CreateCounter<long>(
        TokensName,
        "{token}",
        "Tokens processed: prompt tokens (gen_ai.token.type=input) of requests the engine ran a step for, and generated tokens (output).");

    public static Histogram<double> TokensPerStep { get; } = ServerDiagnostics.Meter.CreateHistogram(
        TokensPerStepName,
        "{token}",
        "Answer tokens per denoising step of a successful request (completion_tokens / denoising_steps, choices averaged); an answer that ends inside a block counts all of that block's steps.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = HistogramBuckets.TokensPerStep });
}
