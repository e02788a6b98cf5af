using Quicksilver.Engine.Decoding;
using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>The waiting requests' count and step bounds as requests join and leave the queue in any order.</summary>
public sealed class WaitingWorkTests
{
    private const int Mask = 99;

    [Fact]
    public void Join_ReturnsThePositionAndTheBoundsOfThoseAhead()
    {
        var work = new WaitingWork();

        (int first, StepBounds aheadOfFirst) = Join(work, Waiting(answerBlocks: 1));
        (int second, StepBounds aheadOfSecond) = Join(work, Waiting(answerBlocks: 3));

        Assert.Equal(1, first);
        Assert.Equal(StepBounds.None, aheadOfFirst);
        Assert.Equal(2, second);
        Assert.Equal(new StepBounds(4, 4, 4, 4, 1, 5), aheadOfSecond); // one answer of 4 tokens, a step each, nothing can end it early; a canvas of 5
        Assert.Equal(2, work.Count);
        Assert.Equal(new StepBounds(16, 16, 4, 12, 2, 18), work.Bounds);
    }

    [Fact]
    public void Leave_InAnyOrder_TakesOutOnlyThatRequest()
    {
        var work = new WaitingWork();
        ActiveSequence shortAnswer = Waiting(answerBlocks: 1);
        ActiveSequence longAnswer = Waiting(answerBlocks: 3);
        ActiveSequence sameAsShort = Waiting(answerBlocks: 1);
        Join(work, shortAnswer);
        Join(work, longAnswer);
        Join(work, sameAsShort);

        work.Leave(longAnswer);
        Assert.Equal(2, work.Count);
        Assert.Equal(new StepBounds(8, 8, 4, 4, 2, 10), work.Bounds);

        work.Leave(shortAnswer);
        Assert.Equal(new StepBounds(4, 4, 4, 4, 1, 5), work.Bounds); // the other answer of the same length is still counted

        work.Leave(sameAsShort);
        Assert.Equal(0, work.Count);
        Assert.Equal(StepBounds.None, work.Bounds);
        Assert.Equal((1, StepBounds.None), Join(work, longAnswer));
    }

    [Fact]
    public void JoinAll_Refused_CountsNoneAndNoOneSawThemCounted()
    {
        var work = new WaitingWork();
        ActiveSequence waiting = Waiting(answerBlocks: 1);
        Join(work, waiting);
        int countSeenByTheJudge = -1;
        var refusal = new EngineBusyException(EngineBusyReason.QueueFull, TimeSpan.FromSeconds(1), "full");

        EngineBusyException? refused = work.JoinAll([Waiting(answerBlocks: 1), Waiting(answerBlocks: 3)], (position, ahead) =>
        {
            Assert.Equal(3, position);
            Assert.Equal(new StepBounds(8, 8, 4, 4, 2, 10), ahead); // the one waiting and the request's first sequence
            countSeenByTheJudge = work.Count;
            return refusal;
        });

        Assert.Same(refusal, refused);
        Assert.Equal(1, countSeenByTheJudge);
        Assert.Equal(1, work.Count);
        Assert.Equal(new StepBounds(4, 4, 4, 4, 1, 5), work.Bounds);
    }

    [Fact]
    public void JoinAll_Admitted_CountsEveryOne()
    {
        var work = new WaitingWork();

        Assert.Null(work.JoinAll([Waiting(answerBlocks: 1), Waiting(answerBlocks: 3)], (_, _) => null));

        Assert.Equal(2, work.Count);
        Assert.Equal(new StepBounds(16, 16, 4, 12, 2, 18), work.Bounds);
    }

    private static (int Position, StepBounds Ahead) Join(WaitingWork work, ActiveSequence sequence)
    {
        (int, StepBounds) place = default;
        Assert.Null(work.JoinAll([sequence], (position, ahead) =>
        {
            place = (position, ahead);
            return null;
        }));
        return place;
    }

    /// <summary>A waiting request whose answer is <paramref name="answerBlocks"/> blocks of 4 tokens, one step per token, with no end token.</summary>
    private static ActiveSequence Waiting(int answerBlocks) => new(
        new DenoisingSequence([1], DiffusionPlan.Create(4 * answerBlocks, 4, 4 * answerBlocks), new DecodingSettings(0f, 1, RemaskingStrategy.LowConfidence), Mask, new HashSet<int>()),
        "tenant",
        DateTimeOffset.UnixEpoch,
        kvCacheBytes: 0,
        CancellationToken.None);
}
