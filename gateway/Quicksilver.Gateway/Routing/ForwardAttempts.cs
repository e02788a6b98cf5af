namespace Quicksilver.Gateway.Routing;

/// <summary>
/// The tries of one request (an HttpContext feature): which try this is, whether a retry on another pod has been
/// claimed, and whether a pod shed the request (429). A retry needs a try left, a pod not yet tried, and the
/// <see cref="RetryBudget"/>'s consent. Whether the current try's answer began, or the try was taken back from a hung
/// pod, is decided once, under a lock: the pod's headers and the gateway's take-back (another thread) may race.
/// </summary>
internal sealed class ForwardAttempts(int maxAttempts, RetryBudget budget)
{
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private int _untried;
    private bool _answerBegan;
    private bool _podHung;

    /// <summary>The current try, from 1.</summary>
    public int Attempt { get; private set; }

    /// <summary>Whether the current try's failure will be retried on another pod.</summary>
    public bool RetryClaimed { get; private set; }

    /// <summary>
    /// The shortest <c>Retry-After</c> among the pods that shed this request with a 429 so far (1 s for one that named
    /// none); null while none did.
    /// </summary>
    public TimeSpan? ShedRetryAfter { get; private set; }

    /// <summary>Whether a pod's queue timed out on this request (its 503, not retried): the model is busy, not down.</summary>
    public bool QueueTimedOut { get; private set; }

    /// <summary>
    /// Whether the current try's pod stopped answering before the try's answer began, and the gateway took the request
    /// back from it (<see cref="UnansweredRequests"/>).
    /// </summary>
    public bool PodHung
    {
        get
        {
            lock (_lock)
            {
                return _podHung;
            }
        }
    }

    /// <summary>Whether the current try's answer was withheld so that the gateway answers 429 for the busy pods instead.</summary>
    public bool AnswerWithheld { get; private set; }

    /// <summary>Starts a try; <paramref name="untriedAfterThis"/> pods remain for later ones.</summary>
    public void Begin(int untriedAfterThis)
    {
        lock (_lock)
        {
            Attempt++;
            _answerBegan = false;
            _podHung = false;
        }

        _untried = untriedAfterThis;
        RetryClaimed = false;
        AnswerWithheld = false;
    }

    /// <summary>The current try's pod answered (its headers came); false when the try was taken back first.</summary>
    public bool BeginAnswer()
    {
        lock (_lock)
        {
            _answerBegan = !_podHung;
            return _answerBegan;
        }
    }

    /// <summary>
    /// Takes try <paramref name="attempt"/> back from its hung pod: true unless the request is on another try by now, or
    /// the try's answer began, or it was taken back already.
    /// </summary>
    public bool TryTakeBack(int attempt)
    {
        lock (_lock)
        {
            if (attempt != Attempt || _answerBegan || _podHung)
            {
                return false;
            }

            _podHung = true;
            return true;
        }
    }

    /// <summary>Claims a retry for the current try's failure; false when none is possible.</summary>
    public bool TryClaimRetry()
    {
        if (!RetryClaimed && Attempt < maxAttempts && _untried > 0 && budget.TryWithdraw())
        {
            RetryClaimed = true;
        }

        return RetryClaimed;
    }

    /// <summary>The current try's pod answered 429 with <paramref name="retryAfter"/> (null: it named none).</summary>
    public void RecordShed(TimeSpan? retryAfter)
    {
        TimeSpan after = retryAfter ?? DefaultRetryAfter;
        ShedRetryAfter = ShedRetryAfter is { } earlier && earlier <= after ? earlier : after;
    }

    /// <summary>The current try's pod answered 503 for a request that waited out its queue.</summary>
    public void RecordQueueTimeout() => QueueTimedOut = true;

    /// <summary>The current try's answer is not relayed: the gateway answers for the pods that shed the request.</summary>
    public void WithholdAnswer() => AnswerWithheld = true;
}
