using System.Text.Json.Nodes;
using Quicksilver.Charts.Tests.Rendering;
using Quicksilver.Charts.Tests.UnitSuites;

namespace Quicksilver.Charts.Tests;

/// <summary>
/// Runs each test of the helm-unittest suites under charts/quicksilver/tests on real <c>helm template</c> renders, with
/// helm-unittest's rules (<see cref="SuiteTestRun"/>), because the helm-unittest plugin
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

        Assert.Empty(SuiteTestRun.Failures(suite, test));
    }
}
