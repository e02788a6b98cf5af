using System.Text.Json.Nodes;
using Quicksilver.Charts.Tests.Infrastructure;
using Quicksilver.Charts.Tests.UnitSuites;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests;

/// <summary>
/// The helm-unittest suites under charts/quicksilver/tests (run on helm renders by <see cref="HelmUnitSuiteRunTests"/>) are well formed,
/// name only templates that exist, and cover every manifest template.
/// </summary>
public sealed class HelmUnitSuiteTests
{
    [Fact]
    public void Suites_Each_HasTemplatesAndAssertingTests()
    {
        Assert.All(HelmUnitSuites.All(), suite =>
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
        Assert.All(HelmUnitSuites.All().SelectMany(suite => suite.Suite["templates"]!.AsArray().Select(t => (suite.File, Template: t!.ToString()))), named =>
            Assert.True(File.Exists(Path.Combine(ChartFolders.Templates, named.Template)), $"{named.File} names {named.Template}, which templates/ lacks"));
    }

    [Fact]
    public void Suites_Together_CoverEveryManifestTemplate()
    {
        var covered = HelmUnitSuites.All().SelectMany(suite => suite.Suite["templates"]!.AsArray().Select(t => t!.ToString())).ToHashSet(StringComparer.Ordinal);
        string[] templates = [.. ChartFolders.ManifestTemplates(ChartFolders.Templates).Select(path => Path.GetRelativePath(ChartFolders.Templates, path).Replace('\\', '/'))];

        Assert.All(templates, template => Assert.True(covered.Contains(template), $"no helm-unittest suite renders {template}"));
    }

    /// <summary>
    /// helm-unittest checks a test's values against values.schema.json before rendering, so a test whose <c>set</c>
    /// the schema refuses errors instead of asserting anything. Tests that expect a failed render are left out: the
    /// schema may be what fails them.
    /// </summary>
    [Fact]
    public void Suites_SetValues_MeetTheSchema()
    {
        var problems = new List<string>();
        foreach ((string file, JsonObject suite) in HelmUnitSuites.All())
        {
            foreach (JsonNode? test in suite["tests"]!.AsArray())
            {
                bool expectsFailure = test!["asserts"]!.AsArray().Any(assert => assert is JsonObject a && a.ContainsKey("failedTemplate"));
                if (test["set"] is JsonObject set && !expectsFailure)
                {
                    List<string> errors = ValuesFiles.Validate(ValuesFiles.Merge(ValuesFiles.Defaults(), HelmUnitSuites.Values(set)));
                    problems.AddRange(errors.Select(error => $"{file}, '{test["it"]}': {error}"));
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void CiScript_InstallsHelmAndRunsThePluginWhereInstalled()
    {
        string script = File.ReadAllText(Path.Combine(RepositoryFolders.Root, ".ci", "run"));

        Assert.Contains("bash tools/helm/install-helm.sh", script, StringComparison.Ordinal);
        Assert.Contains("unittest charts/quicksilver", script, StringComparison.Ordinal);
    }
}
