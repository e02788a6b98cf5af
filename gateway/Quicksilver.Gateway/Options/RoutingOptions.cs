namespace Quicksilver.Gateway.Options;

/// <summary>Section <c>Gateway:Routing</c>: load polling, health, retries and timeouts toward the pods.</summary>
public sealed class RoutingOptions
{
    public const string SectionName = "Gateway:Routing";

    /// <summary>How often each pod's <c>GET /load</c> is polled (responses also piggy-back it).</summary>
    public TimeSpan LoadPollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often each pod's readiness (<c>GET /health/ready</c>) is checked.</summary>
    public TimeSpan HealthCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout of one readiness check or load poll.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long <c>GET /v1/models</c> reuses the card a model's pod served before asking a pod again; zero asks on every
    /// listing. Listings that arrive while a pod is being asked share that one request in any case.
    /// </summary>
    public TimeSpan ModelCardTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Consecutive failed readiness checks that take a pod out of rotation (Envoy's unhealthy threshold). Above one, a
    /// single check that timed out while the pod was busy does not cost a healthy pod its traffic; a pod that is gone
    /// refuses connections, and the first request that finds it so ejects it at once whatever this says, as does a
    /// load poll in which the pod says it is not ready (<see cref="Routing.PodReadiness"/>).
    /// </summary>
    public int UnhealthyThreshold { get; init; } = 2;

    /// <summary>
    /// How long a pod may leave every load poll unanswered before the gateway takes it for hung (a stopped or wedged
    /// process still accepts connections): it is ejected until it answers again, the requests it holds whose answers
    /// have not begun are tried on another pod (or answered 504), and the streams it began end with an error event.
    /// Only while another pod (of any model) answers, and for at most half of a model's pods (one at least): see
    /// <see cref="Routing.HungPodJudge"/>. At least <see cref="LongestPollGap"/>.
    /// </summary>
    public TimeSpan UnresponsivePodTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The longest a pod that answers may go unheard: a poll interval, a poll that timed out, and the next one's time
    /// to answer.
    /// </summary>
    internal TimeSpan LongestPollGap => LoadPollInterval + (2 * ProbeTimeout);

    /// <summary>How long a pod that failed at the transport level (refused, reset) gets no new work before it is tried again.</summary>
    public TimeSpan EjectionPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often headless Services are re-resolved.</summary>
    public TimeSpan DnsRefreshInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed to open a connection to a pod; a refused or silent pod is retried elsewhere after it.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Longest silence from a pod before the request is cut (YARP's <c>ActivityTimeout</c>, 100 s by default). A
    /// non-streamed generation sends nothing until it is done, so this bounds the longest non-streamed answer.
    /// </summary>
    public TimeSpan ActivityTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The whole-request deadline of the model routes (ASP.NET Core request timeouts): a backstop far above any real
    /// generation, streamed or not, since a stream that keeps sending must not be cut. Silence is bounded by
    /// <see cref="ActivityTimeout"/>; the pods bound the work by their max_tokens limit.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Pods one request may be sent to (the first try included) before the gateway gives up.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>
    /// Retries allowed as a fraction of requests (a retry budget, as in Envoy and Finagle): when every pod fails,
    /// retries cannot multiply the load beyond this.
    /// </summary>
    public double RetryBudgetRatio { get; init; } = 0.2;

    /// <summary>Retries always allowed per second on top of <see cref="RetryBudgetRatio"/>, so quiet gateways still retry.</summary>
    public int RetryBudgetMinPerSecond { get; init; } = 5;
}
