namespace Quicksilver.Platform;

internal static class Repository
{
    /// <summary>The nearest folder above the launcher's binaries that holds <c>Platform.sln</c>.</summary>
    public static string Root()
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Platform.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException($"Platform.sln not found above {AppContext.BaseDirectory}; run the launcher from the repository.");
    }
}
