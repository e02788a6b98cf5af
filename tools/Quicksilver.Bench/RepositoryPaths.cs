namespace Quicksilver.Bench;

/// <summary>Finds files of the repository from wherever the tool runs.</summary>
internal static class RepositoryPaths
{
    public static string DefaultModel() => Path.Combine(Root(), "models", "quicksilver-tiny");

    /// <summary>The PyTorch reference forward pass.</summary>
    public static string TorchReferenceScript() => Path.Combine(Root(), "tools", "reference", "llada_reference.py");

    private static string Root()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Platform.sln not found above the tool; pass --model DIR.");
    }
}
