using Quicksilver.Charts.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests.Rendering;

/// <summary>
/// Every object the chart renders, with its own values and with each example, meets its API schema (Kubernetes, the
/// Prometheus Operator's, KEDA's): types, formats, enums, required fields (<see cref="ManifestSchema"/>).
/// </summary>
public sealed class ManifestSchemaTests
{
    [ManifestSchemaTheory]
    [MemberData(nameof(ChartRenderTests.ValuesFiles), MemberType = typeof(ChartRenderTests))]
    public void Render_OwnValuesAndExamples_MeetTheirApiSchemas(string file)
    {
        (bool succeeded, string manifests, string error) = ChartRenderer.Render(file == "values.yaml" ? [] : [Path.Combine(ChartFolders.Chart, "ci", file)]);
        Assert.True(succeeded, error);

        (bool valid, string report) = ManifestSchema.Validate(manifests);

        Assert.True(valid, report);
    }
}
