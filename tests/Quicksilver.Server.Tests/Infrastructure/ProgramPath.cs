namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>Whether a program a test needs (node, go) is installed: shared by the test projects that link this file.</summary>
internal static class ProgramPath
{
    /// <summary>True when <paramref name="program"/> is a file in one of <c>PATH</c>'s folders.</summary>
    public static bool Has(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, program)));
}
