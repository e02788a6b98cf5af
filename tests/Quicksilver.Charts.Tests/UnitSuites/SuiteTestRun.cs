using System.Text.Json.Nodes;

namespace Quicksilver.Charts.Tests.UnitSuites;

/// <summary>
/// Runs one test of a helm-unittest suite: its render (<see cref="SuiteRender"/>) with the suite's templates, the
/// test's values, and the release and Kubernetes version of the test, field by field over the suite's; then each
/// assertion (<see cref="SuiteAssertion"/>). A suite or test key this runner does not read is a failure, not ignored.
/// </summary>
internal static class SuiteTestRun
{
    private static readonly HashSet<string> SuiteKeys = new(StringComparer.Ordinal) { "suite", "templates", "release", "capabilities", "tests" };
    private static readonly HashSet<string> TestKeys = new(StringComparer.Ordinal) { "it", "set", "template", "documentIndex", "release", "capabilities", "asserts" };
    private static readonly HashSet<string> ReleaseKeys = new(StringComparer.Ordinal) { "name", "namespace" };
    private static readonly HashSet<string> CapabilitiesKeys = new(StringComparer.Ordinal) { "majorVersion", "minorVersion" };

    /// <summary>Why <paramref name="test"/> of <paramref name="suite"/> fails; empty when it holds.</summary>
    public static List<string> Failures(JsonObject suite, JsonObject test)
    {
        List<string> unread =
        [
            .. Unread("suite", suite, SuiteKeys), .. Unread("test", test, TestKeys),
            .. Unread("release", suite["release"], ReleaseKeys), .. Unread("release", test["release"], ReleaseKeys),
            .. Unread("capabilities", suite["capabilities"], CapabilitiesKeys), .. Unread("capabilities", test["capabilities"], CapabilitiesKeys),
        ];
        string[] suiteTemplates = [.. suite["templates"]!.AsArray().Select(t => t!.ToString())];
        unread.AddRange(suiteTemplates.Where(t => t.Contains('*', StringComparison.Ordinal) || t.StartsWith("templates/", StringComparison.Ordinal) || t.EndsWith(".txt", StringComparison.Ordinal))
            .Select(t => $"suite template '{t}': wildcards, a templates/ prefix and .txt templates are not read by this runner"));
        string? release = Setting(test, suite, "release", "name");
        string? releaseNamespace = Setting(test, suite, "release", "namespace");
        string? major = Setting(test, suite, "capabilities", "majorVersion");
        string? minor = Setting(test, suite, "capabilities", "minorVersion");
        if (release is null || releaseNamespace is null || major is null || minor is null)
        {
            unread.Add("the release name and namespace and the Kubernetes major and minor version must be given (helm-unittest's defaults differ from helm template's)");
        }

        if (unread.Count > 0)
        {
            return unread;
        }

        SuiteRender render = SuiteRender.Run(suiteTemplates, HelmUnitSuites.Values(test["set"] as JsonObject ?? []), release!, releaseNamespace!, $"v{major}.{minor}.0");
        string[] templates = test["template"] is { } template ? [template.ToString()] : suiteTemplates;
        int? documentIndex = (int?)test["documentIndex"]?.GetValue<long>();
        return [.. test["asserts"]!.AsArray().SelectMany((assertion, i) =>
            SuiteAssertion.Failures(assertion!.AsObject(), render, templates, documentIndex).Select(failure => $"assert {i}: {failure}"))];
    }

    private static IEnumerable<string> Unread(string what, JsonNode? node, HashSet<string> known) =>
        (node as JsonObject ?? []).Select(entry => entry.Key).Where(key => !known.Contains(key)).Select(key => $"{what} key '{key}' is not read by this runner");

    /// <summary>The test's <paramref name="section"/>.<paramref name="key"/>, else the suite's.</summary>
    private static string? Setting(JsonObject test, JsonObject suite, string section, string key) =>
        (test[section]?[key] ?? suite[section]?[key])?.ToString();
}
