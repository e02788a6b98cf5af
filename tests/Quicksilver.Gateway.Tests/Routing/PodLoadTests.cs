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
        Assert.Equal(new PodLoad(3, 4, 512, true, "m"), PodLoad.ParseReport(body));
        Assert.Null(PodLoad.ParseReport("""{"model":"m"}"""u8));
        Assert.Null(PodLoad.ParseReport("nope"u8));
    }

    [Theory]
    [InlineData(",\"max_tokens\":1024,\"chat_default_max_tokens\":128", 1024, 128)]
    [InlineData(",\"max_tokens\":100,\"chat_default_max_tokens\":128", 100, 100)]
    public void ParseReport_ReadsTheAnswerLimits(string limits, int maxTokens, int chatDefault)
    {
        byte[] body = Encoding.UTF8.GetBytes($$"""{"model":"m","waiting":0,"running":0{{limits}}}""");
        Assert.Equal(new AnswerLimits(maxTokens, chatDefault), PodLoad.ParseReport(body)!.Limits);
    }

    [Theory]
    [InlineData("")]
    [InlineData(",\"max_tokens\":1024")]
    [InlineData(",\"max_tokens\":0,\"chat_default_max_tokens\":128")]
    [InlineData(",\"max_tokens\":1024,\"chat_default_max_tokens\":-1")]
    public void ParseReport_NoOrBadAnswerLimits_LeavesThemUnknown(string limits)
    {
        byte[] body = Encoding.UTF8.GetBytes($$"""{"model":"m","waiting":0,"running":0{{limits}}}""");
        Assert.Null(PodLoad.ParseReport(body)!.Limits);
    }

    [Fact]
    public void Registry_LimitsOfAModel_AreTheWidestItsPodsReported_AndOutliveHeaderReports()
    {
        var registry = new PodLoadRegistry();
        Assert.Null(registry.LimitsOf("m"));

        registry.Report("http://a:8000", new PodLoad(0, 0, 0, false, "m", new AnswerLimits(1024, 128)));
        registry.Report("http://b:8000/", new PodLoad(0, 0, 0, false, "m", new AnswerLimits(512, 256)));
        registry.Report("http://c:8000", new PodLoad(0, 0, 0, false, "other", new AnswerLimits(4096, 4096)));
        registry.Report("http://a:8000", PodLoad.ParseHeader("waiting=1, running=2")!);

        Assert.Equal(new AnswerLimits(1024, 256), registry.LimitsOf("m"));
        Assert.Null(registry.LimitsOf("M"));
    }
}
