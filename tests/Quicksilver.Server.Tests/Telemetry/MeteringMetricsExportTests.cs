using System.Net;
using Quicksilver.Server.Metering.Tests;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Server.Telemetry.Tests;

/// <summary>
/// REAL ENGINE, priced: the billing meter (<c>Quicksilver.Metering</c>) reaches <c>GET /metrics</c> with the tenant and
/// model labels: device seconds, their cost and billed tokens per tenant, and idle time per model.
/// </summary>
[Trait("Engine", "Real")]
[Collection(TelemetryTestGroup.Name)]
public sealed class MeteringMetricsExportTests(MeteredModelFixture fixture) : IClassFixture<MeteredModelFixture>
{
    [Fact]
    public async Task Metrics_AfterATenantsRequest_ExportsItsGpuSecondsCostAndTokensAndTheIdleTime()
    {
        string tenant = $"export-{Guid.NewGuid():N}";
        using HttpClient client = fixture.CreateGatewayClient(tenant);
        await UsageRequests.UsageAsync(client.PostCompletionAsync(UsageRequests.Completion(stream: false)), stream: false);

        using HttpResponseMessage response = await fixture.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        string text = await response.Content.ReadAsStringAsync();
        IReadOnlyList<PrometheusSample> samples = PrometheusSample.Parse(text);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (string counter in new[] { "quicksilver_gpu_seconds_total", "quicksilver_cost_USD_total", "quicksilver_tokens_total" })
        {
            PrometheusSample[] billed = [.. samples.Where(s => s.Name == counter && s["quicksilver_tenant"] == tenant)];
            Assert.True(billed.Length > 0 && billed.All(s => s.Value > 0 && s["gen_ai_request_model"] == EmbeddedModelFixture.ModelId), $"{counter} for {tenant}:\n{text}");
        }

        Assert.Contains(samples, s => s.Name == "quicksilver_gpu_idle_seconds_total" && s["gen_ai_request_model"] == EmbeddedModelFixture.ModelId && s["quicksilver_tenant"] is null);

        // One meter, so one instrumentation scope over OTLP: the engine's counters and the server's token counter must
        // not come from two Meter instances of the same name with different versions.
        string[] billing = ["quicksilver_gpu_seconds_total", "quicksilver_cost_USD_total", "quicksilver_tokens_total", "quicksilver_gpu_idle_seconds_total"];
        Assert.Single(samples.Where(s => billing.Contains(s.Name)).Select(s => (s["otel_scope_name"], s["otel_scope_version"])).Distinct());
    }
}
