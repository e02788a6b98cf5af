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

    /// <summary>
    /// helm-unittest checks a test's values against values.schema.json before rendering, so a test whose <c>set</c>
    /// the schema refuses errors instead of asserting anything. Tests that expect a failed render are left out: the
    /// schema may be what fails them.
    /// </summary>
    [Fact]
    public void Suites_SetValues_MeetTheSchema()
    {
        var problems = new List<string>();
        foreach ((string file, JsonObject suite) in Suites())
        {
            foreach (JsonNode? test in suite["tests"]!.AsArray())
            {
                bool expectsFailure = test!["asserts"]!.AsArray().Any(assert => assert is JsonObject a && a.ContainsKey("failedTemplate"));
                if (test["set"] is JsonObject set && !expectsFailure)
                {
                    List<string> errors = ValuesFiles.Validate(ValuesFiles.Merge(ValuesFiles.Defaults(), Nested(set)));
                    problems.AddRange(errors.Select(error => $"{file}, '{test["it"]}': {error}"));
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void CiScript_WithHelmOnPath_RunsUnittestAndLint()
    {
        string script = File.ReadAllText(Path.Combine(RepositoryFolders.Root, ".ci", "run"));

        Assert.Contains("command -v helm", script, StringComparison.Ordinal);
        Assert.Contains("helm unittest charts/quicksilver", script, StringComparison.Ordinal);
        Assert.Contains("helm lint charts/quicksilver", script, StringComparison.Ordinal);
    }

    /// <summary>helm-unittest's <c>set</c> keys are dotted paths (<c>pods.engine.Threads: 4</c>); as the nested values they name.</summary>
    private static JsonObject Nested(JsonObject set)
    {
        var values = new JsonObject();
        foreach ((string path, JsonNode? value) in set)
        {
            string[] keys = path.Split('.');
            JsonObject parent = values;
            foreach (string key in keys[..^1])
            {
                parent = parent[key] as JsonObject ?? (JsonObject)(parent[key] = new JsonObject());
            }

            parent[keys[^1]] = value?.DeepClone();
        }

        return values;
    }
}
