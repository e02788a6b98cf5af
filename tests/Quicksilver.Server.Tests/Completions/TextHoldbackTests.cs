namespace Quicksilver.Server.Completions.Tests;

public sealed class TextHoldbackTests
{
    private const string Marker = "<tool_call>";

    [Fact]
    public void Push_TextBeforeTheMarker_PassesAndEverythingFromTheMarkerWaitsForTheEnd()
    {
        var holdback = new TextHoldback(Marker);

        Assert.Equal("Let me ", holdback.Push("Let me ", final: false));
        Assert.Equal("look.\n", holdback.Push("look.\n<tool", final: false));
        Assert.Equal(string.Empty, holdback.Push("_call>\n{\"name\"", final: false));
        Assert.Equal(string.Empty, holdback.Push(": \"f\"} and <more", final: false));
        Assert.Equal("<tool_call>\n{\"name\": \"f\"} and <more}</tool_call>", holdback.Push("}</tool_call>", final: true));
    }

    [Fact]
    public void Push_AnEndThatOnlyLooksLikeTheMarker_IsSentOnceTheNextTextSettlesIt()
    {
        var holdback = new TextHoldback(Marker);

        Assert.Equal("a ", holdback.Push("a <to", final: false));
        Assert.Equal("<today> is ", holdback.Push("day> is <", final: false));
        Assert.Equal("<fine", holdback.Push("fine", final: true));
    }

    [Fact]
    public void Push_NoMarker_EverythingPasses()
    {
        var holdback = new TextHoldback(Marker);

        Assert.Equal("plain ", holdback.Push("plain ", final: false));
        Assert.Equal("text", holdback.Push("text", final: true));
    }
}
