using System.Text.Json.Nodes;
using Quicksilver.Charts.Tests.Rendering;
using Quicksilver.Charts.Tests.UnitSuites;

namespace Quicksilver.Charts.Tests;

/// <summary>
/// Runs each test of the helm-unittest suites under charts/quicksilver/tests on real <c>helm template</c> renders, with
/// helm-unittest's rules (<see cref="SuiteRender"/>, <see cref="SuiteAssertion"/>), because the helm-unittest plugin
/// itself cannot be installed here (it downloads from GitHub). .ci/run also runs the plugin where it is installed.
/// </summary>
public sealed class HelmUnitSuiteRunTests
{
    public static TheoryData<string, string> SuiteTests()
    {
        var data = new TheoryData<string, string>();
        foreach ((string file, JsonObject suite) in HelmUnitSuites.All())
        {
            foreach (JsonNode? test in suite["tests"]!.AsArray())
            {
                data.Add(file, test!["it"]!.ToString());
            }
        }

        return data;
    }

    [ChartRenderTheory]
    [MemberData(nameof(SuiteTests))]
    public void SuiteTest_Holds(string file, string it)
    {
        JsonObject suite = HelmUnitSuites.All().Single(s => s.File == file).Suite;
        JsonObject test = suite["tests"]!.AsArray().OfType<JsonObject>().Single(t => t["it"]!.ToString() == it);
        string[] suiteTemplates = [.. suite["templates"]!.AsArray().Select(t => t!.ToString())];
        JsonObject release = test["release"] as JsonObject ?? suite["release"]!.AsObject();
        JsonObject? capabilities = test["capabilities"] as JsonObject ?? suite["capabilities"] as JsonObject;
        string? kubeVersion = capabilities is null ? null : $"v{capabilities["majorVersion"]}.{capabilities["minorVersion"]}.0";

        SuiteRender render = SuiteRender.Run(
            suiteTemplates, HelmUnitSuites.Values(test["set"] as JsonObject ?? []), release["name"]!.ToString(), release["namespace"]?.ToString() ?? "default", kubeVersion);

        string[] templates = test["template"] is { } template ? [template.ToString()] : suiteTemplates;
        int? documentIndex = (int?)test["documentIndex"]?.GetValue<long>();
        List<string> failures = [.. test["asserts"]!.AsArray().SelectMany((assertion, i) =>
            SuiteAssertion.Failures(assertion!.AsObject(), render, templates, documentIndex).Select(failure => $"assert {i}: {failure}"))];
        Assert.Empty(failures);
    }
}
