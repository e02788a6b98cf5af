using System.Net;
using System.Text.Json.Nodes;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Telemetry.Tests;

/// <summary>
/// REAL ENGINE: the step loop's meter (<c>Quicksilver.Engine</c>) reaches <c>GET /metrics</c>: load gauges, step
/// histograms with buckets in seconds, and the batch usage gauge the Gateway API Inference Extension can read.
/// </summary>
[Trait("Engine", "Real")]
[Collection(TelemetryTestGroup.Name)]
public sealed class EngineMetricsExportTests
{
    [Fact]
    public async Task Metrics_RealEngine_ExportsEngineGaugesAndStepHistograms()
    {
        using TinyModelFolder folder = TinyModelFolder.Create();
        await using var factory = new QuicksilverApiFactory(model: null, settings: new Dictionary<string, string?>
        {
            ["Quicksilver:ModelPath"] = folder.Folder,
            ["Quicksilver:Engine:Backend"] = "cpu",
            ["Quicksilver:Engine:Threads"] = "1",
        });
        using HttpClient client = await factory.CreateReadyClientAsync();

        using HttpResponseMessage completion = await client.PostCompletionAsync(new JsonObject { ["prompt"] = "Say hello", ["max_tokens"] = 8, ["steps"] = 4 });

        // The step loop publishes its load after it hands out the answer: a starved loop can publish it late.
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (factory.Model.Engine.Load.Running != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the engine still reports a running sequence after 20 s");
            await Task.Delay(5);
        }

        using HttpResponseMessage response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        string text = await response.Content.ReadAsStringAsync();
        IReadOnlyList<PrometheusSample> samples = PrometheusSample.Parse(text);

        Assert.Equal(HttpStatusCode.OK, completion.StatusCode);
        foreach (string gauge in new[] { "quicksilver_engine_requests_waiting", "quicksilver_engine_requests_running", "quicksilver_engine_tokens_in_flight", "quicksilver_engine_kv_cache_usage_bytes", "quicksilver_server_batch_usage" })
        {
            Assert.True(samples.Count(s => s.Name == gauge) == 1, $"Expected one {gauge}.\n{text}");
            PrometheusSample sample = samples.Single(s => s.Name == gauge);
            Assert.True(sample.Value == 0, $"{gauge} is {sample.Value} with no request in flight.\n{text}");
            Assert.True(sample["gen_ai_request_model"] == TinyModelFolder.ModelId, $"{gauge} does not carry the model as gen_ai_request_model, the label the server's metrics carry.\n{text}");
        }

        Assert.True(Assert.Single(samples, s => s.Name == "quicksilver_engine_step_duration_seconds_count").Value >= 4, text);
        Assert.Contains(samples, s => s.Name == "quicksilver_engine_step_duration_seconds_bucket" && s["le"] == "0.001");
        Assert.Contains(samples, s => s.Name == "quicksilver_engine_batch_size_bucket" && s["le"] == "1");
        Assert.Contains(samples, s => s.Name == "quicksilver_engine_tokens_per_step_bucket" && s["le"] == "0.25");
        Assert.All(samples.Where(s => s.Name.StartsWith("quicksilver_engine_", StringComparison.Ordinal)), s => Assert.Equal(TinyModelFolder.ModelId, s["gen_ai_request_model"]));
        Assert.Equal(1, Assert.Single(samples, s => s.Name == "gen_ai_server_request_duration_seconds_count").Value);
        Assert.Equal(TinyModelFolder.ModelId, Assert.Single(samples, s => s.Name == "gen_ai_server_request_duration_seconds_count")["gen_ai_request_model"]);
    }
}
