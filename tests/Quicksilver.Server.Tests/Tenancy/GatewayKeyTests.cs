using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Quicksilver.Server.Tenancy;

namespace Quicksilver.Server.Tenancy.Tests;

public sealed class GatewayKeyTests
{
    [Theory]
    [InlineData("s3cret-shared-with-the-gateway", true)]
    [InlineData("s3cret-shared-with-the-gatewa", false)]
    [InlineData("s3cret-shared-with-the-gateway ", false)]
    [InlineData("S3CRET-SHARED-WITH-THE-GATEWAY", false)]
    [InlineData("", false)]
    public void Matches_PresentedKey_OnlyTheExactKey(string presented, bool matches)
    {
        var key = new GatewayKey(Options.Create(new TenancyOptions { GatewayKey = "s3cret-shared-with-the-gateway" }));

        Assert.Equal(matches, key.Matches(presented));
    }

    [Fact]
    public void Matches_NoKeyConfigured_NothingMatches()
    {
        var key = new GatewayKey(Options.Create(new TenancyOptions()));

        Assert.False(key.Matches(string.Empty));
        Assert.False(key.Matches("anything"));
        Assert.False(key.Matches(StringValues.Empty));
    }

    [Fact]
    public void Matches_HeaderSentTwice_DoesNotMatch()
    {
        var key = new GatewayKey(Options.Create(new TenancyOptions { GatewayKey = "k" }));

        Assert.False(key.Matches(new StringValues(["k", "k"])));
        Assert.False(key.Matches(StringValues.Empty));
    }

    [Theory]
    [InlineData("new-key-shared-with-the-gateway", true)]
    [InlineData("old-key-shared-with-the-gateway", true)]
    [InlineData("other-key-shared-with-the-gatewa", false)]
    public void Matches_WhileTheKeyIsRotated_TheNewAndThePreviousKey(string presented, bool matches)
    {
        var key = new GatewayKey(Options.Create(new TenancyOptions { GatewayKey = "new-key-shared-with-the-gateway", PreviousGatewayKey = "old-key-shared-with-the-gateway" }));

        Assert.Equal(matches, key.Matches(presented));
    }
}
