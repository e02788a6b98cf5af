namespace Quicksilver.Server.Hosting;

/// <summary>The log messages of the graceful drain (source-generated).</summary>
internal static partial class DrainLog
{
    [LoggerMessage(101, LogLevel.Information, "Shutting down: draining (readiness 503, new requests refused); waiting up to {TimeoutSeconds:F0} s for {Waiting} waiting and {Running} running requests")]
    public static partial void Draining(ILogger logger, double timeoutSeconds, int waiting, int running);

    [LoggerMessage(102, LogLevel.Information, "Drained in {Seconds:F1} s; stopping")]
    public static partial void Drained(ILogger logger, double seconds);

    [LoggerMessage(103, LogLevel.Warning, "Drain timed out after {Seconds:F1} s with {Waiting} waiting and {Running} running requests; they end with a retryable 503 (an error event in a stream)")]
    public static partial void DrainTimedOut(ILogger logger, double seconds, int waiting, int running);
}
