using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>
/// Admission control by expected wait (<see cref="EngineOptions.MaxExpectedQueueWait"/>): exact refusals on a clock
/// where every step takes one second, a cold engine that bounds its queue instead, and a flood on the real clock. The
/// requests on that clock have canvases of one size (<see cref="Canvas"/>), which is what steps of one length mean to
/// the engine, but where a test says otherwise: it learns a step's time by the canvas tokens it computes.
/// </summary>
public sealed class DiffusionEngineExpectedWaitTests
{
    /// <summary>A refusal comes at once; an admission behind a held loop never ends, so the test fails here instead.</summary>
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(30);

    private static readonly EngineOptions OnePlace = new() { MaxActiveSequences = 1, QueueTimeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task GenerateAsync_ExpectedWaitPastTheLimit_RefusedAtOnceWithTheExcessAsRetryAfter()
    {
        // One place in the batch, every step 1 s, the default limit: half of the 20 s queue timeout.
        using var clock = new SteppingClock(TimeSpan.FromSeconds(1));
        using var test = new TestEngine(OnePlace, time: clock);
        DiffusionEngine engine = test.Engine;
        Assert.Equal(4, await engine.DrainAsync(Short(), CancellationToken.None)); // history: 4 steps in the batch, 1 s each
        using var cancel = new CancellationTokenSource();
        Task running = engine.DrainAsync(Endable(), cancel.Token);
        await Eventually.True(() => engine.Load.Running == 1);

        // Each request ahead, and the running one (which may leave after any of its blocks of 4), holds the place for
        // 4 steps: expected waits of 4 s, 8 s, then 12 s.
        (Task<int> first, Task<int> second) = await TwoQueuedAndAThirdRefusedAfter12SecondsAsync(engine);

        Assert.Equal(2, engine.Load.Waiting);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(4, await first);
        Assert.Equal(4, await second);
    }

    [Fact]
    public async Task GenerateAsync_ColdEngine_QueuesABoundedNumberThenRefuses()
    {
        // A running sequence held before its first step: no saturated step (its batch of one is full), no estimate, and
        // nothing can teach the engine one while the requests arrive. The limit is generous: only the cold bound refuses.
        using var clock = new SteppingClock(TimeSpan.FromSeconds(1));
        using var test = new TestEngine(OnePlace with { MaxExpectedQueueWait = TimeSpan.FromSeconds(20) }, time: clock);
        DiffusionEngine engine = test.Engine;
        using var cancel = new CancellationTokenSource();
        clock.Hold();
        Task running = engine.DrainAsync(Long(), cancel.Token);
        await Eventually.True(() => engine.Load.Running == 1);
        await Eventually.True(() => clock.IsHolding);

        // One place, taken: the queue holds 16 (the least a cold engine queues); the 17th would wait for 17 to leave.
        Task<int>[] queued = new Task<int>[QueueWaitEstimator.MinColdQueue];
        for (int i = 0; i < queued.Length; i++)
        {
            queued[i] = engine.DrainAsync(Short(), CancellationToken.None);
            await Eventually.True(() => engine.Load.Waiting == i + 1);
        }

        var refused = await RefusedAsync(engine);

        Assert.Equal(EngineBusyReason.ExpectedWaitTooLong, refused.Reason);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
        Assert.Contains("has not yet measured how fast its full batch drains, and until it has it queues no more than 16 requests beyond its free places", refused.Message, StringComparison.Ordinal);
        clock.Release();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.All(await Task.WhenAll(queued), tokens => Assert.Equal(4, tokens));
    }

    [Fact]
    public async Task GenerateAsync_AveragesOfEarlierLongAnswers_AreBoundedByTheStepsThePlansAllow()
    {
        // History: one 80-step answer, so a sequence is expected to hold the place for 80 steps of 1 s. A short answer
        // (4 steps) then holds the only place, stopped before its first step.
        using var clock = new SteppingClock(TimeSpan.FromSeconds(1));
        using var test = new TestEngine(OnePlace, time: clock);
        DiffusionEngine engine = test.Engine;
        Task<int> running = await HoldingThePlaceAsync(engine, clock, after: Medium(), Short());

        // The averages expect 80 s, far past the 10 s allowed; the plans allow 4 steps, then 4 + 4 (both admitted), then
        // 4 + 4 + 4.
        (Task<int> first, Task<int> second) = await TwoQueuedAndAThirdRefusedAfter12SecondsAsync(engine);

        clock.Release();
        int[] answers = await Task.WhenAll(running, first, second);
        Assert.Equal([4, 4, 4], answers);
        Assert.Equal(StepBounds.None, engine.WaitingBounds); // every request that queued, and the refused one, left the count
    }

    [Fact]
    public async Task GenerateAsync_AveragesOfEarlierShortAnswers_AreRaisedByTheStepsTheRunningOneMustTake()
    {
        // History: one 4-step answer. An 80-step answer that nothing can end early (no end tokens, no stop check) then
        // holds the only place: the averages expect 4 s, but no place frees for 80 steps.
        using var clock = new SteppingClock(TimeSpan.FromSeconds(1));
        using var test = new TestEngine(OnePlace, time: clock);
        DiffusionEngine engine = test.Engine;
        Task<int> running = await HoldingThePlaceAsync(engine, clock, after: Short(), Medium());

        var refused = await RefusedAsync(engine);

        Assert.Contains("expected to wait 80.0 s", refused.Message, StringComparison.Ordinal);

        // 70 s past the limit: the Retry-After is cut to the engine's ceiling.
        Assert.Equal(DiffusionEngine.MaxRetryAfter, refused.RetryAfter);
        Assert.Contains("Retry after 60 s", refused.Message, StringComparison.Ordinal);
        clock.Release();
        Assert.Equal(80, await running);
    }

    [Fact]
    public async Task GenerateAsync_WaitingAnswersNothingCanEndEarly_RaiseTheWaitOfThoseBehindThem()
    {
        // History: one 4-step answer. A 4-step answer holds the only place; an 80-step answer that nothing can end early
        // waits (4 s expected: admitted). The averages expect the next to wait 8 s; it waits at least 4 + 80 steps.
        using var clock = new SteppingClock(TimeSpan.FromSeconds(1));
        using var test = new TestEngine(OnePlace, time: clock);
        DiffusionEngine engine = test.Engine;
        Task<int> running = await HoldingThePlaceAsync(engine, clock, after: Short(), Short());
        Task<int> ahead = engine.DrainAsync(Medium(), CancellationToken.None);
        await Eventually.True(() => engine.Load.Waiting == 1);

        var refused = await RefusedAsync(engine);

        Assert.Contains("expected to wait 84.0 s", refused.Message, StringComparison.Ordinal);
        clock.Release();
        int[] answers = await Task.WhenAll(running, ahead);
        Assert.Equal([4, 80], answers);
        Assert.Equal(StepBounds.None, engine.WaitingBounds);
    }

    [Fact]
    public async Task GenerateAsync_APlaceFreeForARequestAhead_TheRunningAnswerDoesNotBoundTheWaitFromBelow()
    {
        // Two places; history: two 4-step answers together (full-batch steps of 1 s). An 80-step answer that nothing
        // can end early takes one place; a 4-step request waits for the other. The next one waits for that 4-step
        // answer to leave (2 s expected), not for the 80-step one.
        using var clock = new SteppingClock(TimeSpan.FromSeconds(1));
        using var test = new TestEngine(OnePlace with { MaxActiveSequences = 2 }, time: clock);
        DiffusionEngine engine = test.Engine;
        Task<int> running = await OneOfTwoPlacesHeldAfterTwoShortAnswersAsync(engine, clock, Medium());
        Task<int> ahead = engine.DrainAsync(Short(), CancellationToken.None);
        await Eventually.True(() => engine.Load.Waiting == 1);

        Task<int> next = engine.DrainAsync(Short(), CancellationToken.None);

        await Eventually.True(() => engine.Load.Waiting == 2);
        Assert.False(next.IsCompleted);
        clock.Release();
        int[] answers = await Task.WhenAll(running, ahead, next);
        Assert.Equal([80, 4, 4], answers);
    }

    [Fact]
    public async Task GenerateAsync_RequestsAheadTakingTheFreePlaces_RaiseTheWaitOfThoseBehindThem()
    {
        // Two places; history: two 4-step answers together. An 80-step answer that nothing can end early runs, stopped
        // in its first step; another waits for the free place (a burst that came before the loop moved it into the
        // batch). The next request waits for one of the two to leave: 80 steps, where the averages expect 2 and the
        // batch, with a place free, set no bound from below.
        using var clock = new SteppingClock(TimeSpan.FromSeconds(1));
        using var test = new TestEngine(OnePlace with { MaxActiveSequences = 2 }, time: clock);
        DiffusionEngine engine = test.Engine;
        Task<int> running = await OneOfTwoPlacesHeldAfterTwoShortAnswersAsync(engine, clock, Medium());
        Task<int> ahead = engine.DrainAsync(Medium(), CancellationToken.None);
        await Eventually.True(() => engine.Load.Waiting == 1);

        var refused = await RefusedAsync(engine);

        Assert.Contains("expected to wait 80.0 s", refused.Message, StringComparison.Ordinal);
        clock.Release();
        int[] answers = await Task.WhenAll(running, ahead);
        Assert.Equal([80, 80], answers);
    }

    [Fact]
    public async Task GenerateAsync_ThresholdRuleHoldingThePlace_IsBoundedByOneStepPerAnswerToken()
    {
        // 32 tokens planned in 4 steps, under a threshold rule that may take one step per token: 32 s, not 4 s.
        using var clock = new SteppingClock(TimeSpan.FromSeconds(1));
        using var test = new TestEngine(OnePlace, time: clock);
        DiffusionEngine engine = test.Engine;
        var threshold = new GenerationRequest { PromptTokens = PromptBefore(32), MaxTokens = 32, BlockLength = 32, Steps = 4, Commit = CommitRule.Threshold, CommitParameter = 0.9, Seed = 1 };
        Task<int> running = await HoldingThePlaceAsync(engine, clock, after: Medium(), threshold);

        var refused = await RefusedAsync(engine);

        Assert.Contains("expected to wait 32.0 s", refused.Message, StringComparison.Ordinal);
        clock.Release();
        Assert.Equal(32, await running);
    }

    [Fact]
    public async Task GenerateAsync_CanvasTenTimesThoseTheStepsWereLearntOn_WaitsTenTimesLonger()
    {
        // History: a 4-step answer on a canvas of 7 tokens, 1 s a step. A 4-step answer that nothing can end early, on a
        // canvas of 70, then holds the only place: its steps are expected to take 10 s each (all steps seen had one
        // size, so they scale with the tokens), 40 s in all, where a time per step would have admitted the request
        // behind it with 4 s expected.
        using var clock = new SteppingClock(TimeSpan.FromSeconds(1));
        using var test = new TestEngine(OnePlace, time: clock);
        DiffusionEngine engine = test.Engine;
        var shortCanvas = new GenerationRequest { PromptTokens = [1, 2, 3], MaxTokens = 4, Seed = 1 };
        var longCanvas = new GenerationRequest { PromptTokens = [.. Enumerable.Range(0, 66).Select(i => 1 + (i % 3))], MaxTokens = 4, Seed = 1 };
        Task<int> running = await HoldingThePlaceAsync(engine, clock, after: shortCanvas, longCanvas);

        var refused = await RefusedAsync(engine);

        Assert.Contains("expected to wait 40.0 s", refused.Message, StringComparison.Ordinal);
        clock.Release();
        Assert.Equal(4, await running);
    }

    /// <summary>
    /// Runs two 4-step answers together (the averages' history: full-batch steps of two places), then submits
    /// <paramref name="holder"/> and stops the loop in its first step, one place left free.
    /// </summary>
    private static async Task<Task<int>> OneOfTwoPlacesHeldAfterTwoShortAnswersAsync(DiffusionEngine engine, SteppingClock clock, GenerationRequest holder)
    {
        clock.Hold();
        Task<int>[] history = [engine.DrainAsync(Short(), CancellationToken.None), engine.DrainAsync(Short(), CancellationToken.None)];
        await Eventually.True(() => engine.Load.Running + engine.Load.Waiting == 2 && clock.IsHolding);
        clock.Release();
        int[] earlier = await Task.WhenAll(history);
        Assert.Equal([4, 4], earlier);
        clock.Hold();
        Task<int> running = engine.DrainAsync(holder, CancellationToken.None);
        await Eventually.True(() => engine.Load.Running == 1 && clock.IsHolding);
        return running;
    }

    /// <summary>
    /// Runs <paramref name="after"/> to its end (the averages' history), then submits <paramref name="holder"/> and stops
    /// the loop before its first step.
    /// </summary>
    private static async Task<Task<int>> HoldingThePlaceAsync(DiffusionEngine engine, SteppingClock clock, GenerationRequest after, GenerationRequest holder)
    {
        Assert.Equal(after.MaxTokens, await engine.DrainAsync(after, CancellationToken.None));
        clock.Hold();
        Task<int> running = engine.DrainAsync(holder, CancellationToken.None);
        await Eventually.True(() => engine.Load.Running == 1 && clock.IsHolding);
        return running;
    }

    /// <summary>
    /// Queues two short requests behind the place's holder; a third is refused: 12 s expected, 10 s allowed, so back when
    /// the queue is expected to have drained by the 2 s in excess.
    /// </summary>
    private static async Task<(Task<int> First, Task<int> Second)> TwoQueuedAndAThirdRefusedAfter12SecondsAsync(DiffusionEngine engine)
    {
        Task<int> first = engine.DrainAsync(Short(), CancellationToken.None);
        await Eventually.True(() => engine.Load.Waiting == 1);
        Task<int> second = engine.DrainAsync(Short(), CancellationToken.None);
        await Eventually.True(() => engine.Load.Waiting == 2);

        EngineBusyException refused = await RefusedAsync(engine);

        Assert.Equal(EngineBusyReason.ExpectedWaitTooLong, refused.Reason);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.RetryAfter);
        Assert.Contains("expected to wait 12.0 s for a place in the batch, longer than the 10.0 s allowed", refused.Message, StringComparison.Ordinal);
        return (first, second);
    }

    /// <summary>A short request's refusal, which comes at once (an admission behind a held loop never ends).</summary>
    private static Task<EngineBusyException> RefusedAsync(DiffusionEngine engine) =>
        Assert.ThrowsAsync<EngineBusyException>(() => engine.DrainAsync(Short(), CancellationToken.None).WaitAsync(RefusalTimeout));

    [Fact]
    public async Task GenerateAsync_Flood_ShedsAtOnceAndEveryAdmittedRequestCompletes()
    {
        using var test = new TestEngine(new EngineOptions { MaxActiveSequences = 2, QueueTimeout = TimeSpan.FromSeconds(30), MaxExpectedQueueWait = TimeSpan.FromMilliseconds(20) });
        DiffusionEngine engine = test.Engine;
        Assert.Equal(32, await engine.DrainAsync(Flooding(0), CancellationToken.None));

        Submission[] flood = [.. Enumerable.Range(1, 200).Select(i => Submission.Start(engine, Flooding(i)))];
        await ((Task)Task.WhenAll(flood.Select(s => s.Answer))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);

        Submission[] refused = [.. flood.Where(s => s.Answer.IsFaulted)];
        Submission[] admitted = [.. flood.Where(s => !s.Answer.IsFaulted)];
        Assert.NotEmpty(refused);
        Assert.NotEmpty(admitted);
        Assert.All(refused, s => Assert.Equal(EngineBusyReason.ExpectedWaitTooLong, Assert.IsType<EngineBusyException>(s.Answer.Exception!.InnerException).Reason));

        // Refused at once: the refusal was there when the first read returned, before any wait in the queue.
        Assert.All(refused, s => Assert.True(s.RefusedAtOnce));
        Assert.All(admitted, s => Assert.False(s.RefusedAtOnce));

        // No admitted request was lost or timed out: each got its whole answer.
        Assert.All(admitted, s => Assert.Equal(32, s.Answer.Result));
        await Eventually.True(() => engine.Load is { Running: 0, Waiting: 0 });
    }

    /// <summary>The canvas of every request on the stepping clock unless a test says otherwise: prompt and answer.</summary>
    private const int Canvas = 503;

    private static GenerationRequest Short() => new() { PromptTokens = PromptBefore(4), MaxTokens = 4, Seed = 1 };

    /// <summary>A long answer in blocks of 4 that a stop check may end after any block (this one never does).</summary>
    private static GenerationRequest Endable() => new() { PromptTokens = PromptBefore(500), MaxTokens = 500, BlockLength = 4, EndsAfterBlock = _ => false, Seed = 1 };

    private static GenerationRequest Medium() => new() { PromptTokens = PromptBefore(80), MaxTokens = 80, BlockLength = 80, Seed = 1 };

    private static GenerationRequest Long() => new() { PromptTokens = PromptBefore(500), MaxTokens = 500, BlockLength = 500, Seed = 1 };

    /// <summary>The prompt that fills <see cref="Canvas"/> with an answer of <paramref name="answerTokens"/>.</summary>
    private static int[] PromptBefore(int answerTokens) => [.. Enumerable.Range(0, Canvas - answerTokens).Select(i => 1 + (i % 3))];

    private static GenerationRequest Flooding(int i) => new() { PromptTokens = [1, 2, 3, 4], MaxTokens = 32, BlockLength = 32, Seed = (ulong)i };

    /// <summary>A request submitted without waiting: whether its first read was already refused, and its tokens.</summary>
    private sealed record Submission(bool RefusedAtOnce, Task<int> Answer)
    {
        public static Submission Start(DiffusionEngine engine, GenerationRequest request)
        {
            IAsyncEnumerable<GenerationUpdate> updates;
            try
            {
                updates = engine.Generate(request);
            }
            catch (EngineBusyException refusal)
            {
                return new Submission(true, Task.FromException<int>(refusal));
            }

            return new Submission(false, updates.CountTokensAsync());
        }
    }
}
