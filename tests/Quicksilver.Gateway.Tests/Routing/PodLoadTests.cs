using System.Text;
using Quicksilver.Gateway.Routing;

namespace Quicksilver.Gateway.Tests.Routing;

public sealed class PodLoadTests
{
    [Fact]
    public void ParseHeader_ReadsThePodsFormat()
    {
        Assert.Equal(new PodLoad(2, 5, 1234, false), PodLoad.ParseHeader("waiting=2, running=5, tokens=1234"));
        Assert.Equal(new PodLoad(0, 1, 0, false), PodLoad.ParseHeader("running=1,waiting=0"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("waiting=2")]
    [InlineData("waiting=-1, running=2")]
    [InlineData("waiting=x, running=2")]
    [InlineData("garbage")]
    public void ParseHeader_Malformed_IsNull(string? header) => Assert.Null(PodLoad.ParseHeader(header));

    [Fact]
    public void ParseReport_ReadsGetLoad()
    {
        byte[] body = Encoding.UTF8.GetBytes("""{"model":"m","waiting":3,"running":4,"tokens_in_flight":512,"draining":true}""");
        Assert.Equal(new PodLoad(3, 4, 512, true), PodLoad.ParseReport(body));
        Assert.Null(PodLoad.ParseReport("""{"model":"m"}"""u8));
        Assert.Null(PodLoad.ParseReport("nope"u8));
    }
}
