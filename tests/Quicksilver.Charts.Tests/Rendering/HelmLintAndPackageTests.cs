using Quicksilver.Charts.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests.Rendering;

/// <summary><c>helm lint --strict</c> passes on the chart's own values and each example, and <c>helm package</c> ships what an install needs.</summary>
public sealed class HelmLintAndPackageTests
{
    [ChartRenderTheory]
    [MemberData(nameof(ChartRenderTests.ValuesFiles), MemberType = typeof(ChartRenderTests))]
    public void Lint_OwnValuesAndExamples_PassStrict(string file)
    {
        (bool passed, string report) = ChartRenderer.Lint(file == "values.yaml" ? [] : [Path.Combine(ChartFolders.Chart, "ci", file)]);

        Assert.True(passed, report);
    }

    /// <summary>
    /// .helmignore keeps the helm-unittest suites (the chart's tests/) out of the archive; a pattern that is not anchored
    /// at the chart's root also drops templates/tests/, the <c>helm test</c> pod.
    /// </summary>
    [ChartRenderFact]
    public void Package_HoldsEveryTemplateAndDashboardButNoUnitSuite()
    {
        IReadOnlyList<string> packaged = ChartRenderer.PackagedFiles();
        string[] needed =
        [
            "Chart.yaml", "values.yaml", "values.schema.json",
            .. Directory.EnumerateFiles(ChartFolders.Templates, "*", SearchOption.AllDirectories).Select(ChartFolders.Relative),
            .. Directory.EnumerateFiles(Path.Combine(ChartFolders.Chart, "dashboards")).Select(ChartFolders.Relative),
        ];

        Assert.Contains("templates/tests/test-gateway.yaml", needed);
        Assert.All(needed, file => Assert.Contains(file, packaged));
        Assert.DoesNotContain(packaged, file => file.StartsWith("tests/", StringComparison.Ordinal));
    }
}
