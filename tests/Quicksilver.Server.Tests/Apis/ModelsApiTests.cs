using System.Net;
using Quicksilver.Server.Tests.Fakes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary>GET /v1/models on <see cref="TestModel"/> (the fake engine until the tests move to the real tiny model).</summary>
[Trait("Engine", "TestModel")]
public sealed class ModelsApiTests(ApiFixture fixture) : ModelsApiContractTests<ApiFixture>(fixture)
{
    [Theory]
    [InlineData("/v1/models/org/fake-tiny")]
    [InlineData("/v1/models/org%2Ffake-tiny")]
    public async Task RetrieveModel_IdWithASlash_FoundAsSentOrEscaped(string path)
    {
        await using var factory = new QuicksilverApiFactory(FakeServedModel.Create() with { Id = "org/fake-tiny" });
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("org/fake-tiny", (string?)(await response.ReadJsonObjectAsync())["id"]);
    }
}
