using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Completions;

/// <summary>The OpenAI errors of the engine's refusals and rejections, whether it throws them as it admits a request or as a sequence ends.</summary>
internal static class EngineErrors
{
    /// <summary>The API error <paramref name="exception"/> stands for, or null when it is none of the engine's refusals or rejections.</summary>
    public static ApiErrorException? ToApiError(Exception exception) => exception switch
    {
        // The engine's contract: InvalidRequestException means the model cannot take this request, naming the field.
        InvalidRequestException rejected => ApiErrorException.BadRequest(rejected.Message, rejected.Param),
        EngineBusyException busy => Busy(busy),
        _ => null,
    };

    // Admission control's refusals (a full queue, or a wait expected past the limit) are the client's signal to back
    // off (429); a queue timeout or a draining pod is the server's (503). The gateway retries them on another pod, but
    // for a queue timeout: the request has already waited the whole timeout, and another queue would double that.
    private static ApiErrorException Busy(EngineBusyException exception) => new(exception.Reason switch
    {
        EngineBusyReason.QueueFull or EngineBusyReason.ExpectedWaitTooLong => ApiError.TooManyRequests(exception.Message, exception.RetryAfter),
        EngineBusyReason.QueueTimeout => ApiError.ServiceUnavailable(exception.Message, exception.RetryAfter) with { NoRetryReason = "queue-timeout" },
        _ => ApiError.ServiceUnavailable(exception.Message, exception.RetryAfter),
    });
}
