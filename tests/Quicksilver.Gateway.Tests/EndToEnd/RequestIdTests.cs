using System.Net;
using Microsoft.AspNetCore.Http;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>
/// <c>X-Request-Id</c> across the gateway: the pod serving a request gets the same id the client gets back (the
/// caller's own, or one the gateway made), so one id finds the request in both logs; the gateway's own errors carry
/// one too.
/// </summary>
public sealed class RequestIdTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private const string Header = "X-Request-Id";

    [Fact]
    public async Task RelayedAnswer_ClientSentNoId_PodGotTheIdTheClientGetsBack()
    {
        await using StubPod pod = await StubPod.StartAsync(StatusCodes.Status429TooManyRequests);
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address]);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        string id = Assert.Single(response.Headers.GetValues(Header));
        Assert.Matches("^req_[0-9a-f]{32}$", id);
        Assert.Equal(id, pod.LastRequestId);
    }

    [Fact]
    public async Task RelayedAnswer_ClientSentAnId_ReachesThePodAndComesBack()
    {
        await using StubPod pod = await StubPod.StartAsync(StatusCodes.Status503ServiceUnavailable);
        await using GatewayServer gateway = await GatewayServer.StartAsync([pod.Address]);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);
        client.DefaultRequestHeaders.Add(Header, "client-trace-42");

        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));

        Assert.Equal("client-trace-42", pod.LastRequestId);
        Assert.Equal("client-trace-42", Assert.Single(response.Headers.GetValues(Header)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RealPods_AnswerAndStream_CarryTheCallersIdOnce(bool stream)
    {
        using HttpClient client = fixture.Platform.Gateway.ClientFor(TestTenants.Acme);
        client.DefaultRequestHeaders.Add(Header, $"e2e-{stream}");

        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(stream: stream));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"e2e-{stream}", Assert.Single(response.Headers.GetValues(Header)));
    }

    [Fact]
    public async Task GatewaysOwnError_CarriesAnId()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Platform.Gateway.Address };

        using HttpResponseMessage response = await Platform.PostCompletionAsync(anonymous, Platform.Completion());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Matches("^req_[0-9a-f]{32}$", Assert.Single(response.Headers.GetValues(Header)));
    }
}
