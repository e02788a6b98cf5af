using System.Text.Json.Nodes;

namespace Quicksilver.Charts.Tests.Infrastructure;

/// <summary>A chart's manifest templates, stubbed (<see cref="TemplateStubber"/>) and parsed.</summary>
internal sealed class ChartManifests
{
    private readonly Dictionary<string, string> defines;

    private ChartManifests(List<Manifest> documents, Dictionary<string, string> defines)
    {
        Documents = documents;
        this.defines = defines;
    }

    public IReadOnlyList<Manifest> Documents { get; }

    /// <summary>Stubs and parses every manifest template under <paramref name="templatesFolder"/>.</summary>
    public static ChartManifests Load(string templatesFolder)
    {
        string helpers = Path.Combine(templatesFolder, "_helpers.tpl");
        Dictionary<string, string> defines = File.Exists(helpers) ? TemplateStubber.Defines(File.ReadAllText(helpers)) : [];
        var documents = new List<Manifest>();
        foreach (string path in ChartFolders.ManifestTemplates(templatesFolder))
        {
            string stubbed = TemplateStubber.Stub(File.ReadAllText(path));
            documents.AddRange(YamlDocuments.Parse(stubbed, allowDuplicateKeys: true)
                .OfType<JsonObject>()
                .Select(document => new Manifest(Path.GetFileName(path), document)));
        }

        return new ChartManifests(documents, defines);
    }

    public IEnumerable<Manifest> OfKind(string kind) => Documents.Where(document => document.Kind == kind);

    /// <summary>
    /// The labels a stubbed mapping stands for, as <c>key=value</c>: its literal entries plus, for each
    /// <c>stub-include.&lt;define&gt;</c> placeholder, the labels of that define's body (recursively). Other
    /// placeholders (user-supplied maps such as podLabels) are left out.
    /// </summary>
    public HashSet<string> Labels(JsonNode? mapping)
    {
        var labels = new HashSet<string>(StringComparer.Ordinal);
        Collect(mapping as JsonObject, labels, depth: 0);
        return labels;
    }

    private void Collect(JsonObject? mapping, HashSet<string> labels, int depth)
    {
        if (mapping is null || depth > 8)
        {
            return;
        }

        foreach ((string key, JsonNode? value) in mapping)
        {
            if (key.StartsWith(TemplateStubber.IncludePrefix, StringComparison.Ordinal))
            {
                string define = key[TemplateStubber.IncludePrefix.Length..];
                if (defines.TryGetValue(define, out string? body))
                {
                    Collect(YamlDocuments.Parse(TemplateStubber.Stub(body), allowDuplicateKeys: true).FirstOrDefault() as JsonObject, labels, depth + 1);
                }
            }
            else if (!key.StartsWith("stub", StringComparison.Ordinal))
            {
                labels.Add($"{key}={value}");
            }
        }
    }
}

/// <summary>One parsed document of a stubbed template.</summary>
internal sealed record Manifest(string Template, JsonObject Root)
{
    public string Kind => Root["kind"]?.ToString() ?? string.Empty;

    public string Name => Root["metadata"]?["name"]?.ToString() ?? string.Empty;

    public JsonNode? this[string path] => path.Split('.').Aggregate<string, JsonNode?>(Root, (node, segment) => node?[segment]);

    public override string ToString() => $"{Kind} {Name} ({Template})";
}
