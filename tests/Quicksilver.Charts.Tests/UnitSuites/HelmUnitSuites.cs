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
    /// keys sharing a prefix share its mapping, merged key by key. Throws on what helm-unittest reads and this does not
    /// (list indexes and escapes in keys), on what it refuses (<c>, { } =</c>), and on two keys that set the same value,
    /// whose outcome depends on helm-unittest's map order.
    /// </summary>
    public static JsonObject Values(JsonObject set)
    {
        var values = new JsonObject();
        foreach ((string path, JsonNode? value) in set)
        {
            if (path.IndexOfAny(['[', ']', '\\', ',', '{', '}', '=']) >= 0)
            {
                throw new NotSupportedException($"set key '{path}': list indexes, escapes and , {{ }} = in set keys are not read by this runner");
            }

            string[] keys = path.Split('.');
            var named = new JsonObject();
            JsonObject parent = named;
            foreach (string key in keys[..^1])
            {
                parent = (JsonObject)(parent[key] = new JsonObject());
            }

            parent[keys[^1]] = value?.DeepClone();
            Merge(values, named, path);
        }

        return values;
    }

    private static void Merge(JsonObject into, JsonObject from, string path)
    {
        foreach ((string key, JsonNode? value) in from)
        {
            if (!into.TryGetPropertyValue(key, out JsonNode? existing))
            {
                into[key] = value?.DeepClone();
            }
            else if (existing is JsonObject existingMapping && value is JsonObject mapping)
            {
                Merge(existingMapping, mapping, path);
            }
            else
            {
                throw new NotSupportedException($"set key '{path}' sets '{key}', which another set key sets too");
            }
        }
    }
}
