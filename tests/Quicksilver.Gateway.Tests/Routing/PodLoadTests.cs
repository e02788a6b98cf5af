using System.Text;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Tests.Infrastructure;

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

    [Theory]
    [InlineData(",\"ready\":true", true)]
    [InlineData(",\"ready\":false", false)]
    [InlineData("", null)]
    [InlineData(",\"ready\":null", null)]
    [InlineData(",\"ready\":\"true\"", null)]
    [InlineData(",\"ready\":1", null)]
    public void ParseReport_ReadsReadiness_UnsaidWhenAbsentOrOdd_AndKeepsTheLoad(string ready, bool? expected)
    {
        byte[] body = Encoding.UTF8.GetBytes($$"""{"model":"m","waiting":2,"running":1,"draining":false{{ready}}}""");
        Assert.Equal(new PodLoad(2, 1, 0, false, Ready: expected), PodLoad.ParseReport(body));
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
    [InlineData(",\"max_tokens\":null,\"chat_default_max_tokens\":128")]
    [InlineData(",\"max_tokens\":\"1024\",\"chat_default_max_tokens\":128")]
    [InlineData(",\"max_tokens\":1024.5,\"chat_default_max_tokens\":128")]
    [InlineData(",\"max_tokens\":4294967296,\"chat_default_max_tokens\":128")]
    public void ParseReport_NoOrBadAnswerLimits_LeavesThemUnknown_AndKeepsTheLoad(string limits)
    {
        byte[] body = Encoding.UTF8.GetBytes($$"""{"model":5,"waiting":2,"running":1,"draining":true{{limits}}}""");
        Assert.Equal(new PodLoad(2, 1, 0, true), PodLoad.ParseReport(body));
    }

    [Fact]
    public void Registry_LimitsOfPods_AreTheWidestTheyReported_AndOutliveHeaderReports()
    {
        var registry = new PodLoadRegistry(new ManualTime());
        string[] model = ["http://a:8000/", "http://b:8000", "http://unreported:8000"];
        Assert.Null(registry.LimitsOf(model));

        registry.Report("http://a:8000", new PodLoad(0, 0, 0, false, new AnswerLimits(1024, 128)));
        registry.Report("http://b:8000/", new PodLoad(0, 0, 0, false, new AnswerLimits(512, 256)));
        registry.Report("http://c:8000", new PodLoad(0, 0, 0, false, new AnswerLimits(4096, 4096)));
        registry.Report("http://a:8000", PodLoad.ParseHeader("waiting=1, running=2")!);

        Assert.Equal(new AnswerLimits(1024, 256), registry.LimitsOf(model));
    }

    [Fact]
    public void Registry_Retain_ForgetsPodsNoLongerRouted()
    {
        var registry = new PodLoadRegistry(new ManualTime());
        registry.Report("http://old:8000", new PodLoad(5, 5, 0, false, new AnswerLimits(4096, 4096)));
        registry.Report("http://new:8000", new PodLoad(1, 0, 0, false, new AnswerLimits(1024, 128)));

        registry.Retain(["http://new:8000/"]);

        Assert.Null(registry.LimitsOf(["http://old:8000"]));
        Assert.Equal((0, 0, false), registry.Score("http://old:8000"));
        Assert.Equal(new AnswerLimits(1024, 128), registry.LimitsOf(["http://new:8000", "http://old:8000"]));
    }

    [Fact]
    public void Registry_Silence_StartsWhenAPodIsFirstRouted_AndEndsWithAnyAnswerOrReport()
    {
        var time = new ManualTime();
        var registry = new PodLoadRegistry(time);
        registry.Retain(["http://a:8000", "http://b:8000"]);
        time.Advance(TimeSpan.FromSeconds(5));
        registry.Retain(["http://a:8000", "http://b:8000", "http://c:8000"]);

        Assert.Equal(TimeSpan.FromSeconds(5), registry.SilenceOf("http://a:8000/"));
        Assert.Equal(TimeSpan.Zero, registry.SilenceOf("http://c:8000"));

        registry.Report("http://a:8000", new PodLoad(0, 0, 0, false));
        Assert.False(registry.Heard("http://b:8000"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), registry.SilenceOf("http://a:8000"));
        Assert.Equal(TimeSpan.FromSeconds(1), registry.SilenceOf("http://b:8000"));
    }

    [Fact]
    public void Registry_Hung_IsMarkedOnce_AndClearedWhenThePodIsHeardAgain()
    {
        var registry = new PodLoadRegistry(new ManualTime());

        Assert.True(registry.MarkHung("http://a:8000"));
        Assert.False(registry.MarkHung("http://a:8000/"));
        Assert.True(registry.Heard("http://a:8000"));
        Assert.False(registry.Heard("http://a:8000"));
        Assert.True(registry.MarkHung("http://a:8000"));
    }
}
