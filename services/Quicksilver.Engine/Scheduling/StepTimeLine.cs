namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// A saturated step's wall time as a line over the canvas tokens it computes: a step computes every canvas in the
/// batch (or, with a K/V cache, a share of each that grows with it) on top of a cost that does not grow, the weights a
/// GPU reads as much for a few rows as for a thousand. The line goes through the recent average step
/// (<see cref="QueueWaitEstimator.Smoothing"/>); its slope is fitted by least squares over a longer window
/// (<see cref="SlopeSmoothing"/>), once the steps in it have spread over at least <see cref="MinRelativeSpread"/> in
/// tokens, and the last one so fitted is kept; it is held between none (every step as long as the average) and the
/// average step's seconds per token (a step as many times longer as it has more tokens). Until a slope has been
/// fitted, a step is taken to be no faster than the average one and as many times slower as it has more tokens: the
/// side that refuses a request (a 429 the client retries) rather than admitting it into the queue timeout (a 503 after
/// it waited). Not thread-safe: <see cref="QueueWaitEstimator"/> holds its lock.
/// </summary>
internal sealed class StepTimeLine
{
    /// <summary>Weight of the newest step in the moments the slope is fitted on (about the last fifty steps count).</summary>
    public const double SlopeSmoothing = 0.02;

    /// <summary>The spread of those steps' tokens (standard deviation over mean) a slope needs.</summary>
    public const double MinRelativeSpread = 0.2;

    private double _tokens = double.NaN;
    private double _seconds = double.NaN;
    private double _windowTokens = double.NaN;
    private double _windowSeconds = double.NaN;
    private double _windowTokensSquared = double.NaN;
    private double _windowTokensSeconds = double.NaN;
    private double _slope = double.NaN;

    /// <summary>Whether a step has been seen.</summary>
    public bool IsKnown => !double.IsNaN(_seconds);

    /// <summary>A step computed <paramref name="tokens"/> canvas tokens (at least one) in <paramref name="seconds"/>.</summary>
    public void Add(double tokens, double seconds)
    {
        tokens = Math.Max(1, tokens);
        _tokens = QueueWaitEstimator.Average(_tokens, tokens);
        _seconds = QueueWaitEstimator.Average(_seconds, seconds);
        _windowTokens = QueueWaitEstimator.Average(_windowTokens, tokens, SlopeSmoothing);
        _windowSeconds = QueueWaitEstimator.Average(_windowSeconds, seconds, SlopeSmoothing);
        _windowTokensSquared = QueueWaitEstimator.Average(_windowTokensSquared, tokens * tokens, SlopeSmoothing);
        _windowTokensSeconds = QueueWaitEstimator.Average(_windowTokensSeconds, tokens * seconds, SlopeSmoothing);
        double variance = _windowTokensSquared - (_windowTokens * _windowTokens);
        if (variance > MinRelativeSpread * MinRelativeSpread * _windowTokens * _windowTokens)
        {
            _slope = (_windowTokensSeconds - (_windowTokens * _windowSeconds)) / variance;
        }
    }

    /// <summary>The expected seconds of a step computing <paramref name="tokens"/> canvas tokens; NaN before any step.</summary>
    public double Seconds(double tokens)
    {
        double proportional = _seconds / _tokens;
        return double.IsNaN(_slope)
            ? _seconds + (proportional * Math.Max(0, tokens - _tokens))
            : _seconds + (Math.Clamp(_slope, 0, proportional) * (tokens - _tokens));
    }
}
