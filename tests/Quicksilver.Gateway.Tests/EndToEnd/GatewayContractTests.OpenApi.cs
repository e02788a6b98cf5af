using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary><c>GET /openapi/v1.json</c> at the gateway: the pods' API as clients reach it, with the API key it needs.</summary>
public sealed partial class GatewayContractTests
{
    [Fact]
    public async Task OpenApi_AtTheGateway_ThePodsApiWithTheApiKeyAndWithoutThePodOnlyPaths()
    {
        using var anonymous = new HttpClient { BaseAddress = Platform.Gateway.Address };
        using var direct = new HttpClient { BaseAddress = Platform.Pods[0].Address };

        using HttpResponseMessage response = await anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        JsonObject document = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        JsonObject pods = (await direct.GetFromJsonAsync<JsonObject>(new Uri("/openapi/v1.json", UriKind.Relative)))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonObject paths = document["paths"]!.AsObject();
        Assert.Equal(
            pods["paths"]!.AsObject().Select(p => p.Key).Except(["/load", "/metrics"]).Order(StringComparer.Ordinal),
            paths.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Contains("/v1/chat/completions", paths.Select(p => p.Key));
        Assert.Null(document["servers"]);
        JsonNode scheme = document["components"]!["securitySchemes"]!["apiKey"]!;
        Assert.Equal(("http", "bearer"), ((string?)scheme["type"], (string?)scheme["scheme"]));
        foreach (string path in new[] { "/v1/completions", "/v1/chat/completions", "/tokenize" })
        {
            JsonObject post = paths[path]!["post"]!.AsObject();
            Assert.Equal("""[{"apiKey":[]}]""", post["security"]!.ToJsonString());
            Assert.Equal("#/components/schemas/ErrorResponse", (string?)post["responses"]!["401"]!["content"]!["application/json"]!["schema"]!["$ref"]);
        }

        Assert.Null(paths["/health/ready"]?["get"]?["security"]);
        Assert.Equal(pods["components"]!["schemas"]!.ToJsonString(), document["components"]!["schemas"]!.ToJsonString());
    }

    [Fact]
    public async Task OpenApi_NoPodHasAnswered_Is503InOpenAIShape()
    {
        await using GatewayServer gateway = await GatewayServer.StartWithoutPodsAsync();
        using var anonymous = new HttpClient { BaseAddress = gateway.Address };

        using HttpResponseMessage response = await anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("ServiceUnavailableError", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["type"]);
    }
}
