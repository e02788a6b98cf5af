namespace Quicksilver.LoadTest.Client;

internal enum Outcome
{
    /// <summary>A 2xx answer that completed (a stream ended with <c>[DONE]</c> and no error event).</summary>
    Ok,

    /// <summary>An HTTP error response (status ≥ 400) before any answer.</summary>
    HttpError,

    /// <summary>
    /// Attempted but neither a completed answer nor an HTTP error: a transport failure, a stream that ended without
    /// <c>[DONE]</c>, or an error event after the 200 headers.
    /// </summary>
    Lost,

    /// <summary>The load generator itself hung up (the disconnect-storm scenario); neither an error nor lost.</summary>
    Cancelled,
}

/// <summary>What one request did and when. Times are milliseconds; <see cref="StartSeconds"/> is from the run's start.</summary>
/// <param name="Target">Which target it went to (e.g. "gateway" or "direct").</param>
/// <param name="Status">The HTTP status, null when none arrived.</param>
/// <param name="ErrorType">The OpenAI error <c>type</c> (HTTP body or SSE error event), or <c>transport</c>, <c>truncated</c>, <c>timeout</c>.</param>
/// <param name="TtftMs">Time to the first event carrying text; for a non-streamed answer, the whole answer's time.</param>
/// <param name="ItlMs">Gaps between consecutive events carrying text (one event per finalised diffusion block).</param>
/// <param name="OutputTokens">From usage when reported, otherwise the number of events carrying text.</param>
/// <param name="Steps">Denoising steps, when usage reports them (<c>denoising_steps</c>, Quicksilver's extension).</param>
/// <param name="ErrorMessage">The OpenAI error <c>message</c>, when the error carried one: it tells which component answered (a pod's queue timeout or the gateway's "no server available").</param>
internal sealed record RequestResult(
    string Target,
    double StartSeconds,
    Outcome Outcome,
    int? Status,
    string? ErrorType,
    double E2eMs,
    double? TtftMs,
    double[] ItlMs,
    int OutputTokens,
    int PromptTokens,
    double? GpuSeconds,
    double? CostUsd,
    int? Steps,
    string? ErrorMessage = null)
{
    /// <summary>(e2e − TTFT)/(output tokens − 1); null with fewer than two tokens or no TTFT.</summary>
    public double? TpotMs => TtftMs is { } ttft && OutputTokens > 1 ? (E2eMs - ttft) / (OutputTokens - 1) : null;

    public double EndSeconds => StartSeconds + (E2eMs / 1000);

    /// <summary>How it is counted among errors: <c>429 rate_limit_error</c>, <c>lost: truncated</c>, …; null when OK or cancelled.</summary>
    public string? ErrorKey => Outcome switch
    {
        Outcome.HttpError => $"{Status} {ErrorType ?? "-"}",
        Outcome.Lost => $"lost: {ErrorType}",
        _ => null,
    };
}
