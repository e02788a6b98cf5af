using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>vLLM's <c>/tokenize</c> and <c>/detokenize</c> through the gateway: routed by model, keyed, never metered.</summary>
public sealed partial class GatewayContractTests
{
    [Theory]
    [InlineData("/tokenize", "{\"model\":\"quicksilver-tiny\",\"prompt\":\"The quick brown fox\",\"return_token_strs\":true}")]
    [InlineData("/detokenize", "{\"model\":\"quicksilver-tiny\",\"tokens\":[40,41,42]}")]
    public async Task Tokenizer_ThroughTheGateway_IsThePodsAnswer(string path, string body)
    {
        using HttpClient gateway = Platform.Gateway.ClientFor(TestTenants.Acme);
        using var direct = new HttpClient { BaseAddress = Platform.Pods[0].Address };

        (HttpStatusCode status, string text) viaGateway = await PostRawAsync(gateway, path, body);
        (HttpStatusCode status, string text) directly = await PostRawAsync(direct, path, body);

        Assert.Equal(HttpStatusCode.OK, viaGateway.status);
        Assert.Equal(directly, viaGateway);
    }

    [Fact]
    public async Task Tokenize_IsNotMetered_TheTenantsTokenBudgetStaysWhole()
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Thrifty);
        for (int i = 0; i < 3; i++)
        {
            using var content = new StringContent("{\"model\":\"quicksilver-tiny\",\"prompt\":\"The quick brown fox jumps over the lazy dog\"}", Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await client.PostAsync(new Uri("/tokenize", UriKind.Relative), content);
            JsonObject answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True((int)answer["count"]! > 0);
            Assert.Equal("30", Header(response, "x-ratelimit-remaining-tokens"));
        }
    }

    [Fact]
    public async Task Tokenize_ReachesThePodStampedWithTheKeysTenant()
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Globex);
        using var content = new StringContent("{\"model\":\"quicksilver-tiny\",\"prompt\":\"x\"}", Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/tokenize", UriKind.Relative)) { Content = content };
        request.Headers.Add("X-Test-Kind", "tokenize-stamp");
        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        (string Kind, string? Tenant) received = Assert.Single(Platform.Pods.SelectMany(p => p.Tenants), r => r.Kind == "tokenize-stamp");
        Assert.Equal(TestTenants.Globex, received.Tenant);
    }

    [Theory]
    [InlineData("/foo")]
    [InlineData("/health/ready")]
    [InlineData("/v1/embeddings")]
    public async Task ModelHeaderFromTheClient_OpensNoOtherPodPath(string path)
    {
        using HttpClient client = Platform.Gateway.ClientFor(TestTenants.Acme);
        using var content = new StringContent("{\"model\":\"quicksilver-tiny\",\"prompt\":\"x\"}", Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.Add("X-Quicksilver-Model", GatewayServer.Model);
        using HttpResponseMessage response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "NotFoundError", $"Unknown request URL: POST {path}.", null);
    }

    [Theory]
    [InlineData("/tokenize", null, "{\"model\":\"quicksilver-tiny\",\"prompt\":\"x\"}", HttpStatusCode.Unauthorized, "AuthenticationError")]
    [InlineData("/Detokenize/", null, "{\"model\":\"quicksilver-tiny\",\"tokens\":[1]}", HttpStatusCode.Unauthorized, "AuthenticationError")]
    [InlineData("/tokenize", TestTenants.Acme, "{\"prompt\":\"x\"}", HttpStatusCode.BadRequest, "BadRequestError")]
    [InlineData("/tokenize", TestTenants.Acme, "{\"model\":\"nope\",\"prompt\":\"x\"}", HttpStatusCode.NotFound, "NotFoundError")]
    [InlineData("/detokenize", TestTenants.Restricted, "{\"model\":\"quicksilver-tiny\",\"tokens\":[1]}", HttpStatusCode.NotFound, "NotFoundError")]
    [InlineData("/detokenize", TestTenants.Acme, "{\"model\":\"quicksilver-tiny\",\"tokens\":[-1]}", HttpStatusCode.BadRequest, "BadRequestError")]
    public async Task Tokenizer_RefusedThroughTheGateway_IsAnOpenAIError(string path, string? tenant, string body, HttpStatusCode status, string type)
    {
        using HttpClient client = tenant is null ? new HttpClient { BaseAddress = Platform.Gateway.Address } : Platform.Gateway.ClientFor(tenant);

        (HttpStatusCode answered, string text) = await PostRawAsync(client, path, body);

        Assert.Equal(status, answered);
        Assert.Equal(type, (string?)JsonNode.Parse(text)!["error"]!["type"]);
    }

    private static async Task<(HttpStatusCode Status, string Text)> PostRawAsync(HttpClient client, string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
