using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using System.Text.Json.Nodes;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>
/// A pod that answers 429 or 503 before any byte went to the client: the request is tried on another pod; when every
/// pod refuses and one of them shed the request (429), the client gets a 429, not a 503.
/// </summary>
public sealed class RetryTests
{
    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task PodRefusingWithABusyStatus_IsRetriedOnAnotherPod(int status)
    {
        await using StubPod busy = await StubPod.StartAsync(status);
        await using PodServer pod = await PodServer.StartAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync([busy.Address, pod.Address]);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        // Equal loads: the power of two choices sends about half the requests to the busy pod first. Eight requests all
        // miss it one run in 256 (that turned a CI run red), so keep sending until one has hit it, up to 40.
        int sent = await Platform.SendUntilAsync(client, minimum: 8, () => busy.Received > 0);

        Assert.True(busy.Received > 0, $"none of {sent} requests was sent to the busy pod, so no retry was exercised");
        Assert.Equal(sent, pod.Requests);
        Assert.Equal(0, MetricsScrape.Sum((await MetricsScrape.TwiceAsync(gateway.Address))[0], "quicksilver_gateway_rejections_total{", "reason=\"model_"));
    }

    [Fact]
    public async Task OnlyPodRefusing_ItsAnswerIsRelayed()
    {
        await using StubPod busy = await StubPod.StartAsync(StatusCodes.Status429TooManyRequests);
        await using GatewayServer gateway = await GatewayServer.StartAsync([busy.Address]);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal("RateLimitError", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["type"]);
        Assert.Equal(1, busy.Received);
    }

    [Fact]
    public async Task PodTimedOutInItsQueue_Its503IsRelayedWithoutTryingAnotherPod()
    {
        await using StubPod first = await StubPod.StartAsync(StatusCodes.Status503ServiceUnavailable, retryAfterSeconds: 7, noRetry: "queue-timeout");
        await using StubPod second = await StubPod.StartAsync(StatusCodes.Status503ServiceUnavailable, retryAfterSeconds: 7, noRetry: "queue-timeout");
        await using GatewayServer gateway = await GatewayServer.StartAsync([first.Address, second.Address]);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.False(response.Headers.Contains("X-Quicksilver-No-Retry"));
        Assert.Equal(1, first.Received + second.Received);
        // Waited out a queue: the model is busy, not down.
        string scrape = (await MetricsScrape.TwiceAsync(gateway.Address))[0];
        Assert.Equal(
            (1, 0),
            (MetricsScrape.Sum(scrape, "quicksilver_gateway_rejections_total{", "reason=\"model_busy\""),
             MetricsScrape.Sum(scrape, "quicksilver_gateway_rejections_total{", "reason=\"model_unavailable\"")));
        Assert.Contains("gen_ai_request_model=\"quicksilver-tiny\"", scrape.Split('\n').Single(line => line.Contains("reason=\"model_busy\"", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryPodShedding_Is429NotA503_EachPodTriedOnce()
    {
        await using StubPod first = await StubPod.StartAsync(StatusCodes.Status429TooManyRequests, retryAfterSeconds: 4);
        await using StubPod second = await StubPod.StartAsync(StatusCodes.Status429TooManyRequests, retryAfterSeconds: 4);
        await using GatewayServer gateway = await GatewayServer.StartAsync([first.Address, second.Address]);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(4), response.Headers.RetryAfter?.Delta);
        Assert.Equal("RateLimitError", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["type"]);
        Assert.Equal((1, 1), (first.Received, second.Received));
    }

    [Fact]
    public async Task OnePodSheddingTheOtherUnavailable_Is429WithTheSheddingPodsRetryAfter()
    {
        await using StubPod shedding = await StubPod.StartAsync(StatusCodes.Status429TooManyRequests, retryAfterSeconds: 7);
        await using StubPod unavailable = await StubPod.StartAsync(StatusCodes.Status503ServiceUnavailable);
        await using GatewayServer gateway = await GatewayServer.StartAsync([shedding.Address, unavailable.Address]);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        // Whichever pod is tried first, the model is busy rather than down: the pod's own 429 when it is tried last,
        // else the gateway's, both with the shedding pod's Retry-After.
        for (int i = 0; i < 6; i++)
        {
            using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));

            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
            JsonObject error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.AsObject();
            Assert.Equal(("RateLimitError", 429), ((string?)error["type"], (int?)error["code"]));
        }

        Assert.Equal((6, 6), (shedding.Received, unavailable.Received));
        string scrape = (await MetricsScrape.TwiceAsync(gateway.Address))[0];
        Assert.Equal(6, MetricsScrape.Sum(scrape, "quicksilver_gateway_rejections_total{", "reason=\"model_busy\""));
        Assert.Equal(0, MetricsScrape.Sum(scrape, "quicksilver_gateway_rejections_total{", "reason=\"model_unavailable\""));
    }

    [Fact]
    public async Task PodTimedOutInItsQueueAfterAnotherShed_Is429NotA503()
    {
        await using StubPod shedding = await StubPod.StartAsync(StatusCodes.Status429TooManyRequests, retryAfterSeconds: 7);
        await using StubPod timedOut = await StubPod.StartAsync(StatusCodes.Status503ServiceUnavailable, noRetry: "queue-timeout");
        await using GatewayServer gateway = await GatewayServer.StartAsync([shedding.Address, timedOut.Address]);
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        // The timed-out pod tried first: its 503, relayed, and no other pod tried. Tried second, after a shed: the
        // model is busy, so the gateway's 429. Keep sending until the second order has come up, up to 40 requests.
        int shedFirst = 0;
        for (int sent = 0; sent < 8 || (shedFirst == 0 && sent < 40); sent++)
        {
            (int shedBefore, int timedOutBefore) = (shedding.Received, timedOut.Received);
            using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));
            (int shed, int timeout) = (shedding.Received - shedBefore, timedOut.Received - timedOutBefore);

            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.Equal((0, 1), (shed, timeout));
            }
            else
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                Assert.Equal((1, 1), (shed, timeout));
                Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
                shedFirst++;
            }
        }

        Assert.True(shedFirst > 0, "the shedding pod was never tried first, so the 429 after a shed was not exercised");
    }

    [Fact]
    public async Task NoPodAnswering_Is503InOpenAIShape()
    {
        await using GatewayServer gateway = await GatewayServer.StartWithoutPodsAsync();
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        using HttpResponseMessage response = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(
            """{"error":{"message":"No server of the model `quicksilver-tiny` is available. Retry shortly.","type":"ServiceUnavailableError","param":null,"code":503}}""",
            await response.Content.ReadAsStringAsync());
        string scrape = (await MetricsScrape.TwiceAsync(gateway.Address))[0];
        Assert.Equal(1, MetricsScrape.Sum(scrape, "quicksilver_gateway_rejections_total{", "reason=\"model_unavailable\""));
    }
}
