namespace Quicksilver.Gateway.Tests.Infrastructure;

internal static class RepositoryFolders
{
    /// <summary>The repository root: the nearest folder above the test binaries that holds <c>Platform.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The model the project ships, which the pods of these tests serve.</summary>
    public static string EmbeddedModel => Path.Combine(Root, "models", "quicksilver-tiny");

    private static string FindRoot()
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Platform.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException("Platform.sln not found above " + AppContext.BaseDirectory);
    }
}
