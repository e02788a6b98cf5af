using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>
/// Listing models does not wait on a stalled pod: the gateway asks for its card within the probe timeout and, when it
/// does not come, answers with the card the pod served last.
/// </summary>
public sealed class ModelCardTests
{
    [Fact]
    public async Task PodStalled_ModelsAnswerWithinTheProbeTimeout_WithTheLastServedCard()
    {
        await using StubPod pod = await StubPod.StartSilentAsync();
        await using GatewayServer gateway = await GatewayServer.StartAsync(
            [pod.Address], new Dictionary<string, string?> { ["Gateway:Routing:ProbeTimeout"] = "00:00:01" });
        using HttpClient client = gateway.ClientFor(TestTenants.Acme);
        JsonObject served = (await client.GetFromJsonAsync<JsonObject>(new Uri("/v1/models", UriKind.Relative)))!;
        Assert.Equal(StubPod.ModelCardContextLength, served["data"]![0]!["max_model_len"]!.GetValue<int>());

        pod.StallModelCards = true;
        var elapsed = Stopwatch.StartNew();
        JsonObject listed = (await client.GetFromJsonAsync<JsonObject>(new Uri("/v1/models", UriKind.Relative)))!;
        JsonObject card = (await client.GetFromJsonAsync<JsonObject>(new Uri("/v1/models/quicksilver-tiny", UriKind.Relative)))!;
        elapsed.Stop();

        // Two calls, each bounded by the 1 s probe timeout; the bound leaves room for a slow machine, far below the
        // 100 s an unbounded call to the pod waited.
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(20), $"took {elapsed.Elapsed}");
        Assert.Equal(served["data"]![0]!.ToJsonString(), listed["data"]![0]!.ToJsonString());
        Assert.Equal(served["data"]![0]!.ToJsonString(), card.ToJsonString());
    }
}
