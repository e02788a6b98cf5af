using System.Text.Json.Nodes;
using Quicksilver.Charts.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests.UnitSuites;

/// <summary>
/// One helm-unittest test's render, as helm-unittest makes it: the chart cut down to its suite's templates (and the
/// <c>_</c> partials), so that another template's <c>fail</c> does not fail the test, rendered by <c>helm template</c>
/// over the test's values; the documents by template (relative to templates/), or the render's error.
/// </summary>
internal sealed class SuiteRender
{
    private const string SourcePrefix = "# Source: quicksilver/templates/";

    private SuiteRender(bool succeeded, string error, Dictionary<string, List<JsonObject>> documents)
    {
        Succeeded = succeeded;
        Error = error;
        Documents = documents;
    }

    public bool Succeeded { get; }

    public string Error { get; }

    /// <summary>Each suite template's documents (none when it rendered nothing, or when the render failed).</summary>
    public IReadOnlyDictionary<string, List<JsonObject>> Documents { get; }

    public static SuiteRender Run(IReadOnlyList<string> templates, JsonObject values, string release, string releaseNamespace, string? kubeVersion)
    {
        DirectoryInfo folder = Directory.CreateTempSubdirectory("chart-unit-");
        try
        {
            string chart = Path.Combine(folder.FullName, "quicksilver");
            CopyChart(chart, templates);
            string valuesFile = Path.Combine(folder.FullName, "values.json");
            File.WriteAllText(valuesFile, values.ToJsonString());

            (bool succeeded, string output, string error) = ChartRenderer.Template(chart, release, releaseNamespace, kubeVersion, [valuesFile]);
            Dictionary<string, List<JsonObject>> documents = templates.ToDictionary(template => template, _ => new List<JsonObject>(), StringComparer.Ordinal);
            if (succeeded)
            {
                foreach ((string template, string yaml) in Sources(output))
                {
                    documents[template].AddRange(YamlDocuments.Parse(yaml).OfType<JsonObject>());
                }
            }

            return new SuiteRender(succeeded, error, documents);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static void CopyChart(string target, IReadOnlyList<string> templates)
    {
        foreach (string file in Directory.EnumerateFiles(ChartFolders.Chart, "*", SearchOption.AllDirectories))
        {
            string relative = ChartFolders.Relative(file);
            bool isTemplate = relative.StartsWith("templates/", StringComparison.Ordinal);
            bool wanted = !relative.StartsWith("tests/", StringComparison.Ordinal)
                && (!isTemplate || Path.GetFileName(file).StartsWith('_') || templates.Contains(relative["templates/".Length..], StringComparer.Ordinal));
            if (wanted)
            {
                string copy = Path.Combine(target, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(file, copy);
            }
        }
    }

    /// <summary><c>helm template</c>'s output as (template, YAML) pieces: each document follows a <c># Source:</c> line.</summary>
    private static IEnumerable<(string Template, string Yaml)> Sources(string output)
    {
        string? template = null;
        var yaml = new List<string>();
        foreach (string line in output.Split('\n'))
        {
            if (line.StartsWith(SourcePrefix, StringComparison.Ordinal))
            {
                if (template is not null)
                {
                    yield return (template, string.Join('\n', yaml));
                }

                template = line[SourcePrefix.Length..].TrimEnd();
                yaml.Clear();
            }
            else
            {
                yaml.Add(line);
            }
        }

        if (template is not null)
        {
            yield return (template, string.Join('\n', yaml));
        }
    }
}
