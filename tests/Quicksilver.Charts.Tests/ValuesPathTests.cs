using System.Text.Json.Nodes;
using Quicksilver.Charts.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests;

/// <summary>Templates read only values that values.yaml declares, and values.yaml declares nothing no template reads.</summary>
public sealed class ValuesPathTests
{
    private static IEnumerable<string> TemplateTexts(string templatesFolder) =>
        Directory.EnumerateFiles(templatesFolder, "*", SearchOption.AllDirectories).Select(File.ReadAllText);

    [Fact]
    public void Missing_ChartTemplates_HasNone()
    {
        HashSet<string> used = ValuesPaths.Used(TemplateTexts(ChartFolders.Templates));

        Assert.Empty(ValuesPaths.Missing(used, ValuesFiles.Defaults(), ValuesFiles.SchemaDocument()));
    }

    [Fact]
    public void Used_ChartTemplates_SeesDirectVariableAndPerModelPaths()
    {
        HashSet<string> used = ValuesPaths.Used(TemplateTexts(ChartFolders.Templates));

        Assert.Contains(".Values.gateway.autoscaling.enabled", used);
        Assert.Contains(".Values.pods.kernelCache.existingClaim", used);
        Assert.Contains(".Values.models.[].storage.pvc.claimName", used);
        Assert.Contains(".Values.models.[].storage.url.files.[].sha256", used);
        Assert.Contains(".Values.models.[].gpuHourPriceUsd", used);
    }

    [Fact]
    public void Unused_ValuesYaml_HasNone()
    {
        HashSet<string> used = ValuesPaths.Used(TemplateTexts(ChartFolders.Templates));

        Assert.Empty(ValuesPaths.Unused(ValuesFiles.Defaults(), used));
    }

    [Fact]
    public void Missing_BadFixture_ReportsEveryUndeclaredPath()
    {
        string folder = Path.Combine(ChartFolders.Fixtures, "bad-chart");
        JsonObject values = YamlDocuments.ParseMapping(File.ReadAllText(Path.Combine(folder, "values.yaml")));
        HashSet<string> used = ValuesPaths.Used(TemplateTexts(Path.Combine(folder, "templates")));

        List<string> missing = ValuesPaths.Missing(used, values, new JsonObject());

        Assert.Equal([".Values.gateway.replicas", ".Values.models.[].stroage.type"], missing);
    }

    [Fact]
    public void Unused_BadFixture_ReportsTheDeadKey()
    {
        string folder = Path.Combine(ChartFolders.Fixtures, "bad-chart");
        JsonObject values = YamlDocuments.ParseMapping(File.ReadAllText(Path.Combine(folder, "values.yaml")));
        HashSet<string> used = ValuesPaths.Used(TemplateTexts(Path.Combine(folder, "templates")));

        Assert.Equal([".Values.forgotten"], ValuesPaths.Unused(values, used));
    }
}
