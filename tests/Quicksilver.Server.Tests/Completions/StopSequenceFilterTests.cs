using Quicksilver.Server.Completions;

namespace Quicksilver.Server.Completions.Tests;

public sealed class StopSequenceFilterTests
{
    [Fact]
    public void Push_NoStopSequences_PassesEverything()
    {
        var filter = new StopSequenceFilter([]);

        Assert.Equal("abc", filter.Push("abc", final: false));
        Assert.False(filter.Stopped);
    }

    [Fact]
    public void Push_StopInsideText_CutsBeforeIt()
    {
        var filter = new StopSequenceFilter(["\n\n"]);

        Assert.Equal("first", filter.Push("first\n\nsecond", final: false));
        Assert.True(filter.Stopped);
        Assert.Equal(string.Empty, filter.Push("more", final: false));
    }

    [Fact]
    public void Push_StopSplitAcrossPushes_HeldBackThenCut()
    {
        var filter = new StopSequenceFilter(["STOP"]);

        Assert.Equal("ab", filter.Push("abST", final: false));
        Assert.Equal(string.Empty, filter.Push("O", final: false));
        Assert.Equal(string.Empty, filter.Push("Pzz", final: false));
        Assert.True(filter.Stopped);
    }

    [Fact]
    public void Push_HeldBackTextThatIsNoStop_ReleasedLaterOrAtTheEnd()
    {
        var filter = new StopSequenceFilter(["STOP"]);

        string sent = filter.Push("abST", final: false) + filter.Push("OX", final: false) + filter.Push("yz", final: true);

        Assert.Equal("abSTOXyz", sent);
        Assert.False(filter.Stopped);
    }

    [Fact]
    public void Push_EndThatCannotStartAStop_SentAtOnce()
    {
        var filter = new StopSequenceFilter(["STOP"]);

        Assert.Equal("abcX", filter.Push("abcX", final: false));
    }

    [Fact]
    public void Push_SeveralStops_TheEarliestWins()
    {
        var filter = new StopSequenceFilter(["world", "lo"]);

        Assert.Equal("hel", filter.Push("hello world", final: true));
    }

    [Fact]
    public void Push_PossibleStartOfAStopIsASurrogatePair_HoldsThePairWhole()
    {
        var filter = new StopSequenceFilter(["🌍!"]);

        string first = filter.Push("a🌍", final: false);

        Assert.Equal("a", first);
        Assert.Equal("🌍b", filter.Push("b", final: true));
    }
}
