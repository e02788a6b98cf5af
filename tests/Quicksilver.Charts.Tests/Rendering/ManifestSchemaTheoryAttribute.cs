using Quicksilver.Charts.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests.Rendering;

/// <summary>A theory that renders the chart and checks its schemas; skipped, saying what to install, without helm or the schema packages.</summary>
public sealed class ManifestSchemaTheoryAttribute : TheoryAttribute
{
    public ManifestSchemaTheoryAttribute() => Skip = ChartRenderer.SkipReason ?? ManifestSchema.SkipReason;
}
