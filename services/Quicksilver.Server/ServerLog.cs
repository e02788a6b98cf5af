namespace Quicksilver.Server;

/// <summary>The server's log messages (source-generated).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information, "Loading the model")]
    public static partial void ModelLoading(ILogger logger);

    [LoggerMessage(2, LogLevel.Information, "Model {ModelId} loaded on {Backend} in {Seconds:F1} s (context length {ContextLength}); ready")]
    public static partial void ModelLoaded(ILogger logger, string modelId, string backend, double seconds, int contextLength);

    [LoggerMessage(3, LogLevel.Critical, "The model could not be loaded; stopping. {Reason}")]
    public static partial void ModelLoadFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(4, LogLevel.Error, "Completion {CompletionId} failed after its stream had started")]
    public static partial void StreamFailed(ILogger logger, Exception exception, string completionId);

    [LoggerMessage(5, LogLevel.Debug, "Completion {CompletionId}: the client disconnected; generation cancelled")]
    public static partial void StreamAbandoned(ILogger logger, string completionId);
}
