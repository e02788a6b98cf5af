namespace Quicksilver.Bench;

/// <summary>Finds files of the repository from wherever the tool runs.</summary>
internal static class RepositoryPaths
{
    public static string DefaultModel()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
            {
                return Path.Combine(dir.FullName, "models", "quicksilver-tiny");
            }
        }

        throw new DirectoryNotFoundException("Platform.sln not found above the tool; pass --model DIR.");
    }
}
