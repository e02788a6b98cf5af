using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>
/// Admission control by expected wait (<see cref="EngineOptions.MaxExpectedQueueWait"/>): exact refusals on a clock
/// where every step takes one second, a cold engine that bounds its queue instead, and a flood on the real clock.
/// </summary>
public sealed class DiffusionEngineExpectedWaitTests
{
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
        Task running = engine.DrainAsync(Long(), cancel.Token);
        await Eventually.True(() => engine.Load.Running == 1);

        // Each request ahead, and the running one, holds the place for 4 steps: expected waits of 4 s, then 8 s.
        // Once the first waits, the loop's next steps are saturated: after 4 more reads a whole one was recorded.
        Task<int> first = engine.DrainAsync(Short(), CancellationToken.None);
        await Eventually.True(() => engine.Load.Waiting == 1);
        long reads = clock.Reads;
        await Eventually.True(() => clock.Reads >= reads + 4);
        Task<int> second = engine.DrainAsync(Short(), CancellationToken.None);
        await Eventually.True(() => engine.Load.Waiting == 2);

        var refused = await Assert.ThrowsAsync<EngineBusyException>(() => engine.DrainAsync(Short(), CancellationToken.None));

        // 12 s expected, 10 s allowed: back when the queue is expected to have drained by the 2 s in excess.
        Assert.Equal(EngineBusyReason.ExpectedWaitTooLong, refused.Reason);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.RetryAfter);
        Assert.Contains("expected to wait 12.0 s for a place in the batch, longer than the 10.0 s allowed", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, engine.Load.Waiting);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(4, await first);
        Assert.Equal(4, await second);
    }

    [Fact]
    public async Task GenerateAsync_ColdEngine_QueuesABoundedNumberThenRefuses()
    {
        // A running sequence has only ever stepped alone: no saturated step, no estimate. The loop is held so that
        // nothing waiting can teach it one while the requests arrive. The limit is generous: only the cold bound refuses.
        using var clock = new SteppingClock(TimeSpan.FromSeconds(1));
        using var test = new TestEngine(OnePlace with { MaxExpectedQueueWait = TimeSpan.FromSeconds(20) }, time: clock);
        DiffusionEngine engine = test.Engine;
        using var cancel = new CancellationTokenSource();
        Task running = engine.DrainAsync(Long(), cancel.Token);
        await Eventually.True(() => engine.Load.Running == 1);
        clock.Hold();
        await Eventually.True(() => clock.IsHolding);

        // One place, taken: the queue holds 16 (the least a cold engine queues); the 17th would wait for 17 to leave.
        Task<int>[] queued = new Task<int>[QueueWaitEstimator.MinColdQueue];
        for (int i = 0; i < queued.Length; i++)
        {
            queued[i] = engine.DrainAsync(Short(), CancellationToken.None);
            await Eventually.True(() => engine.Load.Waiting == i + 1);
        }

        var refused = await Assert.ThrowsAsync<EngineBusyException>(() => engine.DrainAsync(Short(), CancellationToken.None));

        Assert.Equal(EngineBusyReason.ExpectedWaitTooLong, refused.Reason);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
        Assert.Contains("has not yet measured how fast its full batch drains, and until it has it queues no more than 16 requests beyond its free places", refused.Message, StringComparison.Ordinal);
        clock.Release();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.All(await Task.WhenAll(queued), tokens => Assert.Equal(4, tokens));
    }

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

    private static GenerationRequest Short() => new() { PromptTokens = [1, 2, 3], MaxTokens = 4, Seed = 1 };

    private static GenerationRequest Long() => new() { PromptTokens = [1, 2, 3], MaxTokens = 500, BlockLength = 500, Seed = 1 };

    private static GenerationRequest Flooding(int i) => new() { PromptTokens = [1, 2, 3, 4], MaxTokens = 32, BlockLength = 32, Seed = (ulong)i };

    /// <summary>A request submitted without waiting: whether its first read was already refused, and its tokens.</summary>
    private sealed record Submission(bool RefusedAtOnce, Task<int> Answer)
    {
        public static Submission Start(DiffusionEngine engine, GenerationRequest request)
        {
            IAsyncEnumerator<GenerationUpdate> updates = engine.GenerateAsync(request, CancellationToken.None).GetAsyncEnumerator();
            ValueTask<bool> first = updates.MoveNextAsync();
            return new Submission(first.IsFaulted, ReadAsync(updates, first));
        }

        private static async Task<int> ReadAsync(IAsyncEnumerator<GenerationUpdate> updates, ValueTask<bool> first)
        {
            await using (updates)
            {
                int tokens = 0;
                for (bool more = await first; more; more = await updates.MoveNextAsync())
                {
                    tokens += updates.Current.Tokens.Count;
                }

                return tokens;
            }
        }
    }
}
