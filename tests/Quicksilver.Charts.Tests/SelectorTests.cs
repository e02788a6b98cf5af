using Quicksilver.Charts.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests;

/// <summary>Services, budgets, policies, monitors and autoscalers select what the chart runs.</summary>
public sealed class SelectorTests
{
    [Fact]
    public void Problems_Chart_HasNone()
    {
        ChartManifests chart = ChartManifests.Load(ChartFolders.Templates);

        Assert.Empty(SelectorCheck.Problems(chart));
    }

    [Fact]
    public void Load_Chart_SeesEveryKindTheSelectorsAreCheckedOn()
    {
        ChartManifests chart = ChartManifests.Load(ChartFolders.Templates);
        string[] kinds = [.. chart.Documents.Select(document => document.Kind).Distinct()];

        Assert.Equal(2, chart.OfKind("Deployment").Count());
        Assert.Equal(2, chart.OfKind("Service").Count());
        Assert.Subset(
            kinds.ToHashSet(),
            new HashSet<string> { "PodDisruptionBudget", "NetworkPolicy", "ServiceMonitor", "PodMonitor", "HorizontalPodAutoscaler", "ScaledObject", "Ingress", "Pod" });
    }

    [Fact]
    public void Labels_GatewayPodTemplate_ExpandsIncludedDefines()
    {
        ChartManifests chart = ChartManifests.Load(ChartFolders.Templates);
        Manifest gateway = chart.OfKind("Deployment").Single(d => d.Template == "deployment-gateway.yaml");

        HashSet<string> labels = chart.Labels(gateway["spec.template.metadata.labels"]);

        Assert.Contains("app.kubernetes.io/component=gateway", labels);
        Assert.Contains("app.kubernetes.io/name=stub-include.quicksilver.name", labels);
        Assert.Contains("app.kubernetes.io/instance=stub_.Release.Name", labels);
        Assert.Contains("app.kubernetes.io/managed-by=stub_.root.Release.Service", labels);
    }

    [Fact]
    public void HeadlessService_Chart_ListsOnlyReadyPods()
    {
        ChartManifests chart = ChartManifests.Load(ChartFolders.Templates);
        Manifest headless = chart.OfKind("Service").Single(s => s.Template == "service-pod-headless.yaml");

        Assert.Equal("None", headless["spec.clusterIP"]?.ToString());
        Assert.Equal("false", headless["spec.publishNotReadyAddresses"]?.ToString());
    }

    [Fact]
    public void Problems_MismatchedFixture_ReportsEachBrokenSelector()
    {
        ChartManifests chart = ChartManifests.Load(Path.Combine(ChartFolders.Fixtures, "bad-selectors", "templates"));

        List<string> problems = SelectorCheck.Problems(chart);

        Assert.Contains(problems, p => p.StartsWith("Service web", StringComparison.Ordinal) && p.Contains("selects no pods", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Deployment web", StringComparison.Ordinal) && p.Contains("matchLabels", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("HorizontalPodAutoscaler web", StringComparison.Ordinal));
        Assert.Equal(3, problems.Count);
    }
}
