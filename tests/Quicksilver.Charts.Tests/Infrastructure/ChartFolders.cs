using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests.Infrastructure;

/// <summary>Where the chart, its parts and the test fixtures are.</summary>
internal static class ChartFolders
{
    public static string Chart { get; } = Path.Combine(RepositoryFolders.Root, "charts", "quicksilver");

    public static string Templates { get; } = Path.Combine(Chart, "templates");

    public static string ValuesFile { get; } = Path.Combine(Chart, "values.yaml");

    public static string SchemaFile { get; } = Path.Combine(Chart, "values.schema.json");

    /// <summary>Fixtures copied next to the test assembly.</summary>
    public static string Fixtures { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    /// <summary>The templates Helm renders as manifests: every <c>*.yaml</c> under templates/ (partials start with <c>_</c>).</summary>
    public static IEnumerable<string> ManifestTemplates(string templatesFolder) =>
        Directory.EnumerateFiles(templatesFolder, "*.yaml", SearchOption.AllDirectories)
            .Where(path => !Path.GetFileName(path).StartsWith('_'))
            .Order(StringComparer.Ordinal);

    /// <summary>A template's path relative to the chart, with forward slashes (as helm-unittest names them).</summary>
    public static string Relative(string path) => Path.GetRelativePath(Chart, path).Replace('\\', '/');
}
