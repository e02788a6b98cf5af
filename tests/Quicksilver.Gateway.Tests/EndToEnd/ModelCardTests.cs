using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>
/// Listing models does not wait on a stalled pod: the gateway asks for its card within the probe timeout and, when it
/// does not come, answers with the card the pod served last. Nor does listing in a loop multiply requests to the pods:
/// a fresh card is reused, and listings that arrive while a pod is being asked share that request.
/// </summary>
public sealed class ModelCardTests
{
    private static readonly Uri ModelsPath = new("/v1/models", UriKind.Relative);

    [Fact]
    public async Task PodStalled_ModelsAnswerWithinTheProbeTimeout_WithTheLastServedCard()
    {
        await using StubPod pod = await StubPod.StartSilentAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync(
            [pod.Address], new Dictionary<string, string?> { ["Gateway:Routing:ProbeTimeout"] = "00:00:01", ["Gateway:Routing:ModelCardTtl"] = "00:00:00" });
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);
        JsonObject served = (await client.GetFromJsonAsync<JsonObject>(ModelsPath))!;
        Assert.Equal(StubPod.ModelCardContextLength, served["data"]![0]!["max_model_len"]!.GetValue<int>());

        pod.StallModelCards = true;
        var elapsed = Stopwatch.StartNew();
        JsonObject listed = (await client.GetFromJsonAsync<JsonObject>(ModelsPath))!;
        JsonObject card = (await client.GetFromJsonAsync<JsonObject>(new Uri("/v1/models/quicksilver-tiny", UriKind.Relative)))!;
        elapsed.Stop();

        // Two calls, each bounded by the 1 s probe timeout; the bound leaves room for a slow machine, far below the
        // 100 s an unbounded call to the pod waited.
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(20), $"took {elapsed.Elapsed}");
        Assert.Equal(3, pod.ModelCardRequests);
        Assert.Equal(served["data"]![0]!.ToJsonString(), listed["data"]![0]!.ToJsonString());
        Assert.Equal(served["data"]![0]!.ToJsonString(), card.ToJsonString());
    }

    [Fact]
    public async Task CardStillFresh_ListingsAndRetrievals_DoNotAskThePodAgain()
    {
        await using StubPod pod = await StubPod.StartSilentAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync(
            [pod.Address], new Dictionary<string, string?> { ["Gateway:Routing:ModelCardTtl"] = "00:10:00" });
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        JsonObject first = (await client.GetFromJsonAsync<JsonObject>(ModelsPath))!;
        for (int i = 0; i < 5; i++)
        {
            JsonObject again = (await client.GetFromJsonAsync<JsonObject>(ModelsPath))!;
            JsonObject card = (await client.GetFromJsonAsync<JsonObject>(new Uri("/v1/models/quicksilver-tiny", UriKind.Relative)))!;
            Assert.Equal(first.ToJsonString(), again.ToJsonString());
            Assert.Equal(StubPod.ModelCardContextLength, card["max_model_len"]!.GetValue<int>());
        }

        Assert.Equal(1, pod.ModelCardRequests);
    }

    [Fact]
    public async Task PodStalled_ConcurrentListings_ShareOneCardRequest()
    {
        await using StubPod pod = await StubPod.StartSilentAsync();
        pod.StallModelCards = true;
        // No reuse at all: what keeps the pod's requests to one is that the listings share the request in flight. The
        // probe timeout leaves a slow, loaded machine many seconds to send all twelve listings while it is pending.
        await using GatewayServer gateway = await GatewayServer.StartAsync(
            [pod.Address], new Dictionary<string, string?>
            {
                ["Gateway:Routing:ProbeTimeout"] = "00:00:10",
                ["Gateway:Routing:UnresponsivePodTimeout"] = "00:00:30",
                ["Gateway:Routing:ModelCardTtl"] = "00:00:00",
            });
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);

        JsonObject?[] listings = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => client.GetFromJsonAsync<JsonObject>(ModelsPath)));

        Assert.Equal(1, pod.ModelCardRequests);
        Assert.All(listings, listing => Assert.Equal("quicksilver-tiny", listing!["data"]![0]!["id"]!.GetValue<string>()));
        Assert.All(listings, listing => Assert.Null(listing!["data"]![0]!["max_model_len"]));
    }
}
