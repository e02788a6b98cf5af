namespace Quicksilver.Server.Hosting;

/// <summary>
/// How the pod shuts down, bound from the <c>Quicksilver</c> section (<c>Quicksilver:DrainTimeout</c>, environment
/// variable <c>Quicksilver__DrainTimeout</c>). Validated at start.
/// </summary>
public sealed record DrainOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Quicksilver";

    /// <summary>The longest <see cref="DrainTimeout"/> accepted.</summary>
    public static readonly TimeSpan MaxDrainTimeout = TimeSpan.FromHours(1);

    /// <summary>
    /// What the host's shutdown timeout adds to <see cref="DrainTimeout"/>: time for the web server to send the last
    /// bytes of the drained answers and for the engine to stop.
    /// </summary>
    public static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long, once the pod is told to stop (SIGTERM), requests already accepted may run to completion; new ones
    /// are refused with 503 and <c>Retry-After</c> and readiness reports <c>draining</c> meanwhile. Past it the
    /// remaining generations are cancelled. Written <c>hh:mm:ss</c>; between 00:00:00 and 01:00:00. The host's
    /// shutdown timeout is set to this plus 5 s, and the pod's <c>terminationGracePeriodSeconds</c> should exceed
    /// both. Default: 00:00:30.
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
