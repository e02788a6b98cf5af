using System.Text.Json.Nodes;
using Quicksilver.Charts.Tests.Infrastructure;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests;

/// <summary>
/// The helm-unittest suites under charts/quicksilver/tests (run by .ci/run where helm is installed) are well formed,
/// name only templates that exist, and cover every manifest template.
/// </summary>
public sealed class HelmUnitSuiteTests
{
    private static readonly string SuitesFolder = Path.Combine(ChartFolders.Chart, "tests");

    private static List<(string File, JsonObject Suite)> Suites() =>
        [.. Directory.EnumerateFiles(SuitesFolder, "*_test.yaml").Order(StringComparer.Ordinal)
            .Select(path => (Path.GetFileName(path), YamlDocuments.ParseMapping(File.ReadAllText(path))))];

    [Fact]
    public void Suites_Each_HasTemplatesAndAssertingTests()
    {
        Assert.All(Suites(), suite =>
        {
            Assert.False(string.IsNullOrEmpty(suite.Suite["suite"]?.ToString()), $"{suite.File}: no suite name");
            Assert.NotEmpty(suite.Suite["templates"]!.AsArray());
            JsonArray tests = suite.Suite["tests"]!.AsArray();
            Assert.NotEmpty(tests);
            Assert.All(tests, test =>
            {
                Assert.False(string.IsNullOrEmpty(test!["it"]?.ToString()), $"{suite.File}: a test without 'it'");
                Assert.NotEmpty(test["asserts"]!.AsArray());
            });
        });
    }

    [Fact]
    public void Suites_Templates_ExistInTheChart()
    {
        Assert.All(Suites().SelectMany(suite => suite.Suite["templates"]!.AsArray().Select(t => (suite.File, Template: t!.ToString()))), named =>
            Assert.True(File.Exists(Path.Combine(ChartFolders.Templates, named.Template)), $"{named.File} names {named.Template}, which templates/ lacks"));
    }

    [Fact]
    public void Suites_Together_CoverEveryManifestTemplate()
    {
        var covered = Suites().SelectMany(suite => suite.Suite["templates"]!.AsArray().Select(t => t!.ToString())).ToHashSet(StringComparer.Ordinal);
        string[] templates = [.. ChartFolders.ManifestTemplates(ChartFolders.Templates).Select(path => Path.GetRelativePath(ChartFolders.Templates, path).Replace('\\', '/'))];

        Assert.All(templates, template => Assert.True(covered.Contains(template), $"no helm-unittest suite renders {template}"));
    }

    [Fact]
    public void CiScript_WithHelmOnPath_RunsUnittestAndLint()
    {
        string script = File.ReadAllText(Path.Combine(RepositoryFolders.Root, ".ci", "run"));

        Assert.Contains("command -v helm", script, StringComparison.Ordinal);
        Assert.Contains("helm unittest charts/quicksilver", script, StringComparison.Ordinal);
        Assert.Contains("helm lint charts/quicksilver", script, StringComparison.Ordinal);
    }
}
