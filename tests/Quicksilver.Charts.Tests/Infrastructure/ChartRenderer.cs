using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests.Infrastructure;

/// <summary>
/// Runs helm on the chart: renders it with <c>helm template</c> (release <c>qs</c> in namespace <c>default</c>,
/// Kubernetes 1.31; which also checks the values against values.schema.json), lints and packages it. Uses the helm on <c>PATH</c>, else the one
/// <c>tools/helm/install-helm.sh</c> puts in artifacts/helm (.ci/run installs it); <see cref="SkipReason"/> says how to
/// install it when there is neither.
/// </summary>
internal static class ChartRenderer
{
    private static readonly string InstalledHelm = Path.Combine(RepositoryFolders.Root, "artifacts", "helm", "helm");

    private static readonly string? Helm = ProgramPath.Has("helm") ? "helm" : File.Exists(InstalledHelm) ? InstalledHelm : null;

    /// <summary>Why the chart cannot be rendered here, or null when it can.</summary>
    public static string? SkipReason { get; } = Helm is null
        ? "helm is not installed: bash tools/helm/install-helm.sh (.ci/run does) puts it in artifacts/helm."
        : null;

    /// <summary>Renders the chart over <paramref name="valuesFiles"/>; the manifests, or the render's error.</summary>
    public static (bool Succeeded, string Output, string Error) Render(params string[] valuesFiles) =>
        Template(ChartFolders.Chart, "qs", "default", "v1.31.0", valuesFiles);

    /// <summary>
    /// <c>helm template</c> of the chart in <paramref name="chartFolder"/> as release <paramref name="release"/> in
    /// <paramref name="releaseNamespace"/>, for Kubernetes <paramref name="kubeVersion"/> (null: helm's default).
    /// </summary>
    public static (bool Succeeded, string Output, string Error) Template(string chartFolder, string release, string releaseNamespace, string? kubeVersion, IEnumerable<string> valuesFiles)
    {
        List<string> arguments = ["template", release, chartFolder, "--namespace", releaseNamespace, .. valuesFiles.SelectMany(file => new[] { "--values", file })];
        if (kubeVersion is not null)
        {
            arguments.AddRange(["--kube-version", kubeVersion]);
        }

        (int exitCode, string output, string error) = Run(HelmProgram(), arguments);
        return (exitCode == 0, output, error);
    }

    /// <summary><c>helm lint --strict</c> over <paramref name="valuesFiles"/>: whether it passed, and what it said.</summary>
    public static (bool Passed, string Report) Lint(params string[] valuesFiles)
    {
        List<string> arguments = ["lint", "--strict", ChartFolders.Chart, .. valuesFiles.SelectMany(file => new[] { "--values", file })];
        (int exitCode, string output, string error) = Run(HelmProgram(), arguments);
        return (exitCode == 0, output + error);
    }

    /// <summary>The files <c>helm package</c> puts in the chart's archive, relative to the chart, with forward slashes.</summary>
    public static IReadOnlyList<string> PackagedFiles()
    {
        DirectoryInfo folder = Directory.CreateTempSubdirectory("chart-package-");
        try
        {
            (int exitCode, string output, string error) = Run(HelmProgram(), ["package", ChartFolders.Chart, "--destination", folder.FullName]);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"helm package failed:\n{output}{error}");
            }

            using var archive = new GZipStream(File.OpenRead(Directory.GetFiles(folder.FullName, "*.tgz").Single()), CompressionMode.Decompress);
            using var reader = new TarReader(archive);
            var files = new List<string>();
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                {
                    files.Add(entry.Name[(entry.Name.IndexOf('/', StringComparison.Ordinal) + 1)..]);
                }
            }

            return files;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Renders the chart over values given as YAML text.</summary>
    public static (bool Succeeded, string Output, string Error) RenderWith(string valuesYaml)
    {
        string file = Path.Combine(Path.GetTempPath(), $"chart-values-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, valuesYaml);
        try
        {
            return Render(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string HelmProgram() => Helm ?? throw new InvalidOperationException(SkipReason);

    private static (int ExitCode, string Output, string Error) Run(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} ran past 3 minutes.");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
