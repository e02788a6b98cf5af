using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Apis.Tests;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{model}</c>, for any model.</summary>
public abstract class ModelsApiContractTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, IApiFixture
{
    [Fact]
    public async Task ListModels_ModelLoaded_ListsItWithContextLengthAndBackend()
    {
        using HttpResponseMessage response = await fixture.Client.GetAsync(new Uri("/v1/models", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        JsonObject list = await response.ReadJsonObjectAsync();
        Assert.Equal(new[] { "object", "data" }, list.Select(p => p.Key));
        Assert.Equal("list", list["object"]!.GetValue<string>());
        JsonObject model = Assert.IsType<JsonObject>(Assert.Single(list["data"]!.AsArray()));
        Assert.Equal(new[] { "id", "object", "created", "owned_by", "context_length", "backend", "generation_defaults" }, model.Select(p => p.Key));
        Assert.Equal(fixture.Factory.Model.Id, model["id"]!.GetValue<string>());
        Assert.Equal("model", model["object"]!.GetValue<string>());
        Assert.Equal(fixture.Factory.Model.Created.ToUnixTimeSeconds(), model["created"]!.GetValue<long>());
        Assert.Equal("quicksilver", model["owned_by"]!.GetValue<string>());
        Assert.Equal(fixture.Factory.Model.ContextLength, model["context_length"]!.GetValue<int>());
        Assert.Equal(fixture.Factory.Model.BackendName, model["backend"]!.GetValue<string>());
        Assert.Equal(
            new[] { "temperature", "top_p", "top_k", "remasking", "alg_temp", "steps", "block_length", "threshold", "factor", "max_new_tokens", "eps" },
            model["generation_defaults"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task RetrieveModel_ServedModel_IsTheCardTheListHas()
    {
        using HttpResponseMessage list = await fixture.Client.GetAsync(new Uri("/v1/models", UriKind.Relative));
        JsonNode listed = (await list.ReadJsonObjectAsync())["data"]![0]!;

        using HttpResponseMessage response = await fixture.Client.GetAsync(new Uri($"/v1/models/{Uri.EscapeDataString(fixture.Factory.Model.Id)}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(listed.ToJsonString(), (await response.ReadJsonObjectAsync()).ToJsonString());
    }

    [Theory]
    [InlineData("no-such-model")]
    [InlineData("org/no-such-model")]
    public async Task RetrieveModel_AnotherId_Is404NamingIt(string id)
    {
        using HttpResponseMessage response = await fixture.Client.GetAsync(new Uri($"/v1/models/{id}", UriKind.Relative));

        JsonObject error = await OpenAIAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NotFoundError", "model");
        Assert.Equal($"The model `{id}` does not exist.", error["message"]!.GetValue<string>());
    }
}
