using Quicksilver.Server.Tests.Infrastructure;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Quicksilver.Gateway.Telemetry;
using Quicksilver.Gateway.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>The finance dashboard reads series the platform really exports.</summary>
public sealed partial class CostDashboardTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private static readonly string DashboardPath = Path.Combine(RepositoryFolders.Root, "charts", "quicksilver", "dashboards", "quicksilver-cost.json");

    [Fact]
    public async Task EverySeriesTheDashboardQueries_IsExportedByAPodOrTheGateway()
    {
        Platform platform = fixture.Platform;
        using (HttpClient client = platform.Gateway.ClientFor(TestTenants.Acme))
        using (HttpResponseMessage answer = await Platform.PostCompletionAsync(client, Platform.Completion(maxTokens: 2)))
        {
            answer.EnsureSuccessStatusCode();
        }

        using var http = new HttpClient();
        var exported = new HashSet<string>(StringComparer.Ordinal);
        foreach (Uri target in platform.Pods.Select(p => p.Address).Append(platform.Gateway.Address))
        {
            string scrape = await http.GetStringAsync(new Uri(target, "/metrics"));
            exported.UnionWith(SeriesName().Matches(scrape).Select(m => m.Groups[1].Value));
        }

        // Counters that only appear once something happened (a retry, a broken stream) must at least be instruments
        // of the gateway's meter.
        var gatewayInstruments = new HashSet<string>(StringComparer.Ordinal);
        using (var listener = new MeterListener())
        {
            IMeterFactory factory = platform.Gateway.Services.GetRequiredService<IMeterFactory>();
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == GatewayMetrics.MeterName && instrument.Meter.Scope == factory)
                {
                    gatewayInstruments.Add(instrument.Name.Replace('.', '_') + "_total");
                }
            };
            listener.Start();
        }

        JsonNode dashboard = JsonNode.Parse(await File.ReadAllTextAsync(DashboardPath))!;
        string[] queried = [.. dashboard["panels"]!.AsArray()
            .SelectMany(panel => panel!["targets"]!.AsArray())
            .SelectMany(target => QueriedName().Matches((string)target!["expr"]!).Select(m => m.Groups[1].Value))
            .Distinct()];

        Assert.Contains("quicksilver_cost_USD_total", queried);
        Assert.Contains("quicksilver_gateway_retries_total", queried);
        Assert.All(queried, name => Assert.True(
            exported.Contains(name) || gatewayInstruments.Contains(name),
            $"the dashboard queries {name}, which no pod or gateway exports"));
    }

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", RegexOptions.Multiline)]
    private static partial Regex SeriesName();

    [GeneratedRegex(@"\b((?:quicksilver|gen_ai)_[a-zA-Z0-9_]+)[{\[]")]
    private static partial Regex QueriedName();
}
