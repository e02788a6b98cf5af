using Quicksilver.Charts.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests.Rendering;

/// <summary>A fact that renders the chart with <see cref="ChartRenderer"/>; skipped, saying how to install it, without helm.</summary>
public sealed class ChartRenderFactAttribute : FactAttribute
{
    public ChartRenderFactAttribute() => Skip = ChartRenderer.SkipReason;
}

/// <summary>A theory that renders the chart with <see cref="ChartRenderer"/>; skipped, saying how to install it, without helm.</summary>
public sealed class ChartRenderTheoryAttribute : TheoryAttribute
{
    public ChartRenderTheoryAttribute() => Skip = ChartRenderer.SkipReason;
}
