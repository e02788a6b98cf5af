using System.Text.Json.Nodes;
using Quicksilver.Charts.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests.UnitSuites;

/// <summary>The helm-unittest suites under charts/quicksilver/tests, read as YAML.</summary>
internal static class HelmUnitSuites
{
    public static string Folder { get; } = Path.Combine(ChartFolders.Chart, "tests");

    /// <summary>Every suite, by file name, in file-name order.</summary>
    public static List<(string File, JsonObject Suite)> All() =>
        [.. Directory.EnumerateFiles(Folder, "*_test.yaml").Order(StringComparer.Ordinal)
            .Select(path => (Path.GetFileName(path), YamlDocuments.ParseMapping(File.ReadAllText(path))))];

    /// <summary>
    /// A test's <c>set</c> as the nested values it names: its keys are dotted paths (<c>pods.engine.Threads: 4</c>), and
    /// keys sharing a prefix share its mapping. helm-unittest's escapes and list indexes in keys are not read here.
    /// </summary>
    public static JsonObject Values(JsonObject set)
    {
        var values = new JsonObject();
        foreach ((string path, JsonNode? value) in set)
        {
            if (path.IndexOfAny(['[', '\\']) >= 0)
            {
                throw new NotSupportedException($"set key '{path}': list indexes and escapes in set keys are not supported by this runner");
            }

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
