namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>Folders of the repository the tests run from (found by walking up to <c>Platform.sln</c>).</summary>
internal static class RepositoryFolders
{
    public static string Root { get; } = FindRoot();

    /// <summary>The embedded default model, <c>models/quicksilver-tiny</c> (its real tokenizer and chat template).</summary>
    public static string EmbeddedModel { get; } = Path.Combine(Root, "models", "quicksilver-tiny");

    private static string FindRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No directory above {AppContext.BaseDirectory} contains Platform.sln.");
    }
}
