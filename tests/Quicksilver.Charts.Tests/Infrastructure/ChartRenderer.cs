using System.Diagnostics;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests.Infrastructure;

/// <summary>
/// Renders the chart with <c>tools/chart-render</c>: Go's text/template with sprig and Helm's functions, as
/// <c>helm template</c> renders it. Built once per test run with Debian's Go and libraries (GOPATH mode, nothing
/// downloaded); <see cref="SkipReason"/> says what is missing when they are not installed.
/// </summary>
internal static class ChartRenderer
{
    private const string GoPath = "/usr/share/gocode";

    private static readonly Lazy<string> Binary = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Why the renderer cannot be built here, or null when it can.</summary>
    public static string? SkipReason { get; } =
        !ProgramPath.Has("go") || !Directory.Exists(Path.Combine(GoPath, "src", "github.com", "Masterminds", "sprig"))
            || !Directory.Exists(Path.Combine(GoPath, "src", "github.com", "ghodss", "yaml"))
            ? "Go and Helm's template libraries are not installed: apt-get install golang-go golang-github-masterminds-sprig-dev golang-github-ghodss-yaml-dev (.ci/run does)."
            : null;

    /// <summary>Renders the chart over <paramref name="valuesFiles"/>; the manifests, or the render's error.</summary>
    public static (bool Succeeded, string Output, string Error) Render(params string[] valuesFiles)
    {
        List<string> arguments = [.. valuesFiles.SelectMany(file => new[] { "-f", file }), ChartFolders.Chart];
        (int exitCode, string output, string error) = Run(Binary.Value, arguments, environment: null);
        return (exitCode == 0, output, error);
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

    private static string Build()
    {
        string folder = Directory.CreateTempSubdirectory("chart-render-").FullName;
        string binary = Path.Combine(folder, "chart-render");
        var environment = new Dictionary<string, string>
        {
            ["GO111MODULE"] = "off",
            ["GOPATH"] = GoPath,
            ["GOCACHE"] = Path.Combine(folder, "cache"),
            ["GOFLAGS"] = string.Empty,
        };
        // GOPATH mode builds a package by relative path only: "." from the tool's folder.
        (int exitCode, string output, string error) = Run("go", ["build", "-o", binary, "."], environment, Path.Combine(RepositoryFolders.Root, "tools", "chart-render"));
        return exitCode == 0 ? binary : throw new InvalidOperationException($"go build of tools/chart-render failed:\n{output}{error}");
    }

    private static (int ExitCode, string Output, string Error) Run(string program, IEnumerable<string> arguments, Dictionary<string, string>? environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? string.Empty };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? [])
        {
            start.Environment[name] = value;
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
