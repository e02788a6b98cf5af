using Quicksilver.Gateway.Tenancy;

namespace Quicksilver.Gateway.Tests.Tenancy;

public sealed class TenantsFileTests
{
    private static readonly string AcmeKey = ApiKeyHash.NewKey();
    private static readonly string GlobexKey = ApiKeyHash.NewKey();

    [Fact]
    public void Parse_ValidFile_FindsEachTenantByItsKeyOnly()
    {
        ApiKeyIndex index = TenantsFile.Parse(
            $$"""
            {"tenants": [
              {"id": "acme", "keys": ["{{ApiKeyHash.Format(AcmeKey)}}"], "models": ["m1"], "requests_per_minute": 60, "tokens_per_minute": 1000},
              {"id": "globex", "keys": ["{{ApiKeyHash.Format(GlobexKey)}}"]}
            ]}
            """,
            "tenants.json");

        Tenant acme = Assert.IsType<Tenant>(index.Find(AcmeKey));
        Assert.Equal("acme", acme.Id);
        Assert.Equal(60, acme.RequestsPerMinute);
        Assert.Equal(1000, acme.TokensPerMinute);
        Assert.True(acme.MayUse("m1"));
        Assert.False(acme.MayUse("m2"));
        Tenant globex = Assert.IsType<Tenant>(index.Find(GlobexKey));
        Assert.Null(globex.RequestsPerMinute);
        Assert.True(globex.MayUse("anything"));
        Assert.Null(index.Find("qs-not-a-key"));
        Assert.Null(index.Find(ApiKeyHash.Format(AcmeKey)));
    }

    [Theory]
    [InlineData("not json", "is not valid JSON")]
    [InlineData("""{"tenant": []}""", "\"tenants\" array")]
    [InlineData("""{"tenants": [{"keys": ["sha256:00"]}]}""", "without a string \"id\"")]
    [InlineData("""{"tenants": [{"id": "a b", "keys": []}]}""", "tenant id 'a b'")]
    [InlineData("""{"tenants": [{"id": "a", "keys": []}]}""", "no \"keys\" array")]
    [InlineData("""{"tenants": [{"id": "a", "keys": ["plain-text-key"]}]}""", "not \"sha256:<64 hex digits>\"")]
    [InlineData("""{"tenants": [{"id": "a", "keys": ["sha256:0000000000000000000000000000000000000000000000000000000000000000"], "tokens_per_minute": 0}]}""", "\"tokens_per_minute\" that is not a positive integer")]
    [InlineData("""{"tenants": [{"id": "a", "keys": ["sha256:0000000000000000000000000000000000000000000000000000000000000000"], "models": "m1"}]}""", "\"models\" that is not an array of strings")]
    public void Parse_DefectiveFile_NamesFileAndDefect(string json, string expected)
    {
        var exception = Assert.Throws<InvalidDataException>(() => TenantsFile.Parse(json, "/etc/quicksilver/tenants.json"));
        Assert.StartsWith("Tenants file '/etc/quicksilver/tenants.json' ", exception.Message, StringComparison.Ordinal);
        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SameTenantTwiceOrSharedKey_IsRefused()
    {
        string hash = ApiKeyHash.Format(AcmeKey);
        Assert.Contains("names tenant 'a' twice", Assert.Throws<InvalidDataException>(() => TenantsFile.Parse(
            $$"""{"tenants": [{"id": "a", "keys": ["{{hash}}"]}, {"id": "a", "keys": ["{{ApiKeyHash.Format(GlobexKey)}}"]}]}""", "t.json")).Message, StringComparison.Ordinal);
        Assert.Contains("a key that another entry already has", Assert.Throws<InvalidDataException>(() => TenantsFile.Parse(
            $$"""{"tenants": [{"id": "a", "keys": ["{{hash}}"]}, {"id": "b", "keys": ["{{hash}}"]}]}""", "t.json")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApiKeyHash_FormatsSha256AndRoundTrips()
    {
        Assert.Equal("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ApiKeyHash.Format("test"));
        Assert.Equal(ApiKeyHash.Digest("test"), ApiKeyHash.TryParse(ApiKeyHash.Format("test")));
        Assert.Null(ApiKeyHash.TryParse("sha256:zz"));
        Assert.StartsWith("qs-", ApiKeyHash.NewKey(), StringComparison.Ordinal);
        Assert.NotEqual(ApiKeyHash.NewKey(), ApiKeyHash.NewKey());
    }
}
