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

        (int first, StepBounds aheadOfFirst) = work.Join(Waiting(answerBlocks: 1));
        (int second, StepBounds aheadOfSecond) = work.Join(Waiting(answerBlocks: 3));

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
        work.Join(shortAnswer);
        work.Join(longAnswer);
        work.Join(sameAsShort);

        work.Leave(longAnswer);
        Assert.Equal(2, work.Count);
        Assert.Equal(new StepBounds(8, 8, 4, 4, 2, 10), work.Bounds);

        work.Leave(shortAnswer);
        Assert.Equal(new StepBounds(4, 4, 4, 4, 1, 5), work.Bounds); // the other answer of the same length is still counted

        work.Leave(sameAsShort);
        Assert.Equal(0, work.Count);
        Assert.Equal(StepBounds.None, work.Bounds);
        Assert.Equal((1, StepBounds.None), work.Join(longAnswer));
    }

    /// <summary>A waiting request whose answer is <paramref name="answerBlocks"/> blocks of 4 tokens, one step per token, with no end token.</summary>
    private static ActiveSequence Waiting(int answerBlocks) => new(
        new DenoisingSequence([1], DiffusionPlan.Create(4 * answerBlocks, 4, 4 * answerBlocks), new DecodingSettings(0f, 1, RemaskingStrategy.LowConfidence), Mask, new HashSet<int>()),
        "tenant",
        DateTimeOffset.UnixEpoch,
        kvCacheBytes: 0,
        CancellationToken.None);
}
