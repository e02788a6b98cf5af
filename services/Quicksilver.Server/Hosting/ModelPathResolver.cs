namespace Quicksilver.Server.Hosting;

/// <summary>Finds the model folder named by <see cref="QuicksilverOptions.ModelPath"/>.</summary>
internal static class ModelPathResolver
{
    /// <summary>The file that marks the repository root.</summary>
    public const string RepositoryMarker = "Platform.sln";

    /// <summary>
    /// An absolute path is taken as is. A relative one is looked up under <paramref name="contentRoot"/>, then under
    /// the nearest folder above it that holds <see cref="RepositoryMarker"/>. Throws
    /// <see cref="DirectoryNotFoundException"/> naming every place looked in.
    /// </summary>
    public static string Resolve(string? configured, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(contentRoot);
        string path = string.IsNullOrWhiteSpace(configured) ? QuicksilverOptions.DefaultModelPath : configured;
        if (Path.IsPathRooted(path))
        {
            return Directory.Exists(path) ? path : throw NotFound(path, [path]);
        }

        var tried = new List<string>();
        string underContentRoot = Path.GetFullPath(Path.Combine(contentRoot, path));
        tried.Add(underContentRoot);
        if (Directory.Exists(underContentRoot))
        {
            return underContentRoot;
        }

        for (DirectoryInfo? folder = new(Path.GetFullPath(contentRoot)); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, RepositoryMarker)))
            {
                string underRepository = Path.GetFullPath(Path.Combine(folder.FullName, path));
                tried.Add(underRepository);
                if (Directory.Exists(underRepository))
                {
                    return underRepository;
                }

                break;
            }
        }

        throw NotFound(path, tried);
    }

    private static DirectoryNotFoundException NotFound(string path, IEnumerable<string> tried) =>
        new($"Model folder '{path}' not found (looked in: {string.Join(", ", tried)}). " +
            "Set Quicksilver:ModelPath (environment: Quicksilver__ModelPath) or pass --model <folder>.");
}
