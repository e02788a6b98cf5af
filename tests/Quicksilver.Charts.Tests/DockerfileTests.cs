using System.Text.Json.Nodes;
using System.Xml.Linq;
using Quicksilver.Charts.Tests.Infrastructure;
using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Charts.Tests;

/// <summary>
/// What can be checked of the Dockerfile without a Docker engine: its targets, that they run as the numeric non-root
/// users the chart expects, and that every build stage copies everything its projects need from a context that
/// .dockerignore does not strip.
/// </summary>
public sealed class DockerfileTests
{
    /// <summary>The UID the .NET base images define as APP_UID (the <c>app</c> user).</summary>
    private const string DotnetAppUid = "1654";

    private static readonly Dockerfile Images = Dockerfile.Parse(File.ReadAllText(Path.Combine(RepositoryFolders.Root, "Dockerfile")));

    [Theory]
    [InlineData("pod", "10001")]
    [InlineData("pod-cpu", DotnetAppUid)]
    [InlineData("gateway", DotnetAppUid)]
    public void Target_RunsAsNumericNonRootUser(string target, string uid)
    {
        string? user = Images[target].User;

        Assert.NotNull(user);
        Assert.Equal(uid, user == "$APP_UID" ? DotnetAppUid : user);
        Assert.NotEqual("0", uid);
    }

    [Theory]
    [InlineData("gateway", "gateway")]
    [InlineData("pods", "pod")]
    public void ChartSecurityContext_MatchesTheImageUser_AndLocksTheContainerDown(string block, string target)
    {
        JsonObject values = ValuesFiles.Defaults();
        string? user = Images[target].User;

        Assert.Equal(user == "$APP_UID" ? DotnetAppUid : user, values[block]!["podSecurityContext"]!["runAsUser"]!.ToString());
        Assert.True(values[block]!["containerSecurityContext"]!["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.Equal("ALL", values[block]!["containerSecurityContext"]!["capabilities"]!["drop"]![0]!.ToString());
    }

    [Fact]
    public void ContextSources_EveryCopy_ExistsAndIsNotDockerIgnored()
    {
        var ignore = new DockerIgnore(File.ReadAllText(Path.Combine(RepositoryFolders.Root, ".dockerignore")));
        string[] sources = [.. Images.Stages.SelectMany(stage => stage.ContextSources).Distinct()];

        Assert.NotEmpty(sources);
        Assert.All(sources, source =>
        {
            string path = Path.Combine(RepositoryFolders.Root, source.TrimEnd('/'));
            Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY {source}: not in the repository");
            Assert.False(ignore.Excludes(source), $"COPY {source}: excluded by .dockerignore");
        });
    }

    [Fact]
    public void Excludes_DockerIgnore_KeepsTheModelCardAndDropsTests()
    {
        var ignore = new DockerIgnore(File.ReadAllText(Path.Combine(RepositoryFolders.Root, ".dockerignore")));

        Assert.True(ignore.Excludes("tests/Quicksilver.Charts.Tests/ValuesSchemaTests.cs"));
        Assert.True(ignore.Excludes("services/Quicksilver.Server/bin/Release/x.dll"));
        Assert.True(ignore.Excludes("README.md"));
        Assert.False(ignore.Excludes("models/quicksilver-tiny/README.md"));
        Assert.False(ignore.Excludes("kernels/attention.cu"));
    }

    /// <summary>
    /// Each <c>dotnet publish</c> stage copies the build files and everything its project graph reaches (project
    /// references and items such as the engine's embedded <c>../../kernels/*.cu</c> or the gateway's linked request-id
    /// middleware): each reached path is copied itself or inside a copied folder.
    /// </summary>
    [Theory]
    [InlineData("build-server")]
    [InlineData("build-gateway")]
    public void PublishStage_CopiesEverythingItsProjectsReference(string stageName)
    {
        Stage stage = Images[stageName];
        string publish = stage.Instructions.Single(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal)).Arguments;
        string project = publish.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "publish").Skip(1).First();
        var copied = stage.ContextSources.Select(source => source.TrimEnd('/')).ToHashSet(StringComparer.Ordinal);

        string[] needed = ["global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig",
            .. ProjectGraph(Path.Combine(RepositoryFolders.Root, project)).Select(RelativePath)];

        Assert.All(needed, path => Assert.Contains(copied, source => path == source || path.StartsWith(source + "/", StringComparison.Ordinal)));
    }

    private static HashSet<string> ProjectGraph(string projectFolder)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Directory.EnumerateFiles(projectFolder, "*.csproj").Single()]);
        while (pending.TryPop(out string? csproj))
        {
            if (!reached.Add(csproj))
            {
                continue;
            }

            string folder = Path.GetDirectoryName(csproj)!;
            foreach (XAttribute include in XDocument.Load(csproj).Descendants().Attributes("Include").Where(a => a.Value.StartsWith("..", StringComparison.Ordinal)))
            {
                string target = Path.GetFullPath(Path.Combine(folder, include.Value.Replace('\\', '/').Split('*')[0]));
                if (include.Parent!.Name.LocalName == "ProjectReference")
                {
                    pending.Push(target);
                }
                else
                {
                    reached.Add(target);
                }
            }
        }

        return reached;
    }

    private static string RelativePath(string path) =>
        Path.GetRelativePath(RepositoryFolders.Root, path).Replace('\\', '/').TrimEnd('/');
}
