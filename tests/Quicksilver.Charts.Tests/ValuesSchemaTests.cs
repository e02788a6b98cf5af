using System.Text.Json.Nodes;
using Quicksilver.Charts.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests;

/// <summary>values.schema.json accepts the chart's own values and examples, and rejects values files with wrong types.</summary>
public sealed class ValuesSchemaTests
{
    public static TheoryData<string> ExampleValuesFiles() =>
        [.. Directory.EnumerateFiles(Path.Combine(ChartFolders.Chart, "ci"), "*.yaml").Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> BadValuesFiles() =>
        [.. Directory.EnumerateFiles(Path.Combine(ChartFolders.Fixtures, "bad-values"), "*.yaml").Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal)];

    [Fact]
    public void Validate_DefaultValues_HasNoErrors()
    {
        Assert.Empty(ValuesFiles.Validate(ValuesFiles.Defaults()));
    }

    [Theory]
    [MemberData(nameof(ExampleValuesFiles))]
    public void Validate_ExampleValuesOverDefaults_HasNoErrors(string file)
    {
        JsonObject example = YamlDocuments.ParseMapping(File.ReadAllText(Path.Combine(ChartFolders.Chart, "ci", file)));

        Assert.Empty(ValuesFiles.Validate(ValuesFiles.Merge(ValuesFiles.Defaults(), example)));
    }

    /// <summary>Each bad file names, in a first-line comment <c># rejects: /json/pointer</c>, where the schema must object.</summary>
    [Theory]
    [MemberData(nameof(BadValuesFiles))]
    public void Validate_BadValuesOverDefaults_IsRejectedAtTheNamedLocation(string file)
    {
        string text = File.ReadAllText(Path.Combine(ChartFolders.Fixtures, "bad-values", file));
        string expected = text.Split('\n')[0].Replace("# rejects:", string.Empty, StringComparison.Ordinal).Trim();
        Assert.StartsWith("/", expected);

        List<string> errors = ValuesFiles.Validate(ValuesFiles.Merge(ValuesFiles.Defaults(), YamlDocuments.ParseMapping(text)));

        Assert.NotEmpty(errors);
        Assert.Contains(errors, error => error.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void BadValuesFixtures_Folder_HoldsSixOrMore()
    {
        // Guards the theory above against silently running over an empty folder.
        Assert.True(BadValuesFiles().Count >= 6);
    }

    [Fact]
    public void Merge_ListsReplaceAndMapsMerge_LikeHelm()
    {
        JsonObject defaults = YamlDocuments.ParseMapping("a: {b: 1, c: 2}\nlist: [1, 2]\nd: 3");
        JsonObject overrides = YamlDocuments.ParseMapping("a: {b: 5}\nlist: [9]\nd: null");

        JsonObject merged = ValuesFiles.Merge(defaults, overrides);

        Assert.Equal("""{"a":{"b":5,"c":2},"list":[9]}""", merged.ToJsonString());
    }

    [Fact]
    public void Parse_PlainScalars_ResolveLikeYamlCoreSchema()
    {
        JsonObject parsed = YamlDocuments.ParseMapping("i: 42\nf: 0.5\nb: true\nn: null\ne:\ns: '42'\nt: 00:00:10");

        Assert.Equal("""{"i":42,"f":0.5,"b":true,"n":null,"e":null,"s":"42","t":"00:00:10"}""", parsed.ToJsonString());
    }
}
