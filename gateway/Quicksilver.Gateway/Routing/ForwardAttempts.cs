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
    private TaskCompletionSource? _answerCut;

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

    /// <summary>Whether a pod refused the gateway's key (its 401): it is configured with another key.</summary>
    public bool KeyRefused { get; private set; }

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
            _answerCut = null;
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
            if (_podHung)
            {
                return false;
            }

            _answerBegan = true;
            _answerCut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return true;
        }
    }

    /// <summary>
    /// Completes when the pod of the answer begun (<see cref="BeginAnswer"/>) is taken for hung: a stream relayed from it
    /// ends with an error event instead of waiting out the activity timeout. Null before an answer began.
    /// </summary>
    public Task? AnswerCut
    {
        get
        {
            lock (_lock)
            {
                return _answerCut?.Task;
            }
        }
    }

    /// <summary>
    /// Takes try <paramref name="attempt"/> back from its hung pod: <see cref="TakeBackOutcome.TakenBack"/> when its
    /// answer has not begun (it is retried elsewhere), <see cref="TakeBackOutcome.AnswerCut"/> when it has (the answer
    /// is ended), nothing when the request is on another try by now or this was done already.
    /// </summary>
    public TakeBackOutcome TakeBack(int attempt)
    {
        lock (_lock)
        {
            if (attempt != Attempt || _podHung)
            {
                return TakeBackOutcome.None;
            }

            if (!_answerBegan)
            {
                _podHung = true;
                return TakeBackOutcome.TakenBack;
            }

            return _answerCut!.TrySetResult() ? TakeBackOutcome.AnswerCut : TakeBackOutcome.None;
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

    /// <summary>The current try's pod refused the gateway's key.</summary>
    public void RecordKeyRefused() => KeyRefused = true;

    /// <summary>The current try's answer is not relayed: the gateway answers for the pods that shed or refused the request.</summary>
    public void WithholdAnswer() => AnswerWithheld = true;
}
