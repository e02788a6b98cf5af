using Quicksilver.Server.Hosting;

namespace Quicksilver.Server.Hosting.Tests;

public sealed class ModelPathResolverTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("quicksilver-paths-");

    public void Dispose() => root.Delete(recursive: true);

    [Fact]
    public void Resolve_RelativePathUnderContentRoot_FindsIt()
    {
        string contentRoot = Create("app");
        string model = Create("app/models/m");

        Assert.Equal(model, ModelPathResolver.Resolve("models/m", contentRoot));
    }

    [Fact]
    public void Resolve_DefaultPath_FoundByWalkingUpToTheRepositoryRoot()
    {
        File.WriteAllText(Path.Combine(root.FullName, ModelPathResolver.RepositoryMarker), string.Empty);
        string contentRoot = Create("services/Quicksilver.Server");
        string model = Create(QuicksilverOptions.DefaultModelPath);

        Assert.Equal(model, ModelPathResolver.Resolve(null, contentRoot));
    }

    [Fact]
    public void Resolve_AbsolutePath_TakenAsIs()
    {
        string model = Create("elsewhere/model");

        Assert.Equal(model, ModelPathResolver.Resolve(model, Create("app")));
    }

    [Fact]
    public void Resolve_Missing_ThrowsNamingWhereItLookedAndHowToSetIt()
    {
        File.WriteAllText(Path.Combine(root.FullName, ModelPathResolver.RepositoryMarker), string.Empty);
        string contentRoot = Create("services/app");

        var exception = Assert.Throws<DirectoryNotFoundException>(() => ModelPathResolver.Resolve("models/nope", contentRoot));

        Assert.Contains(Path.Combine(contentRoot, "models", "nope"), exception.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(root.FullName, "models", "nope"), exception.Message, StringComparison.Ordinal);
        Assert.Contains("--model", exception.Message, StringComparison.Ordinal);
    }

    private string Create(string relative) => Directory.CreateDirectory(Path.Combine(root.FullName, relative)).FullName;
}
