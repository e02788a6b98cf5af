using System.Diagnostics;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests.Infrastructure;

/// <summary>
/// Validates rendered manifests against the Kubernetes, Prometheus Operator and KEDA API schemas with
/// <c>tests/k8s-schema/validate.mjs</c> (Node.js and the packages <c>npm ci --prefix tests/k8s-schema</c> installs).
/// </summary>
internal static class ManifestSchema
{
    private static readonly string Folder = Path.Combine(RepositoryFolders.Root, "tests", "k8s-schema");

    /// <summary>Why the schemas cannot be checked here, or null when they can.</summary>
    public static string? SkipReason { get; } =
        !ProgramPath.Has("node") || !Directory.Exists(Path.Combine(Folder, "node_modules", "kubernetes-models"))
            ? "Node.js or the Kubernetes schema packages are not installed: npm ci --prefix tests/k8s-schema (.ci/run does)."
            : null;

    /// <summary>Whether every manifest in <paramref name="manifests"/> (YAML documents) meets its schema, and the report.</summary>
    public static (bool Valid, string Report) Validate(string manifests)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Folder, "validate.mjs"));
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(manifests);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("validate.mjs ran past 2 minutes.");
        }

        return (process.ExitCode == 0, output.Result + error.Result);
    }
}
