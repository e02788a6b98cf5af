using Quicksilver.Server.Tests.Infrastructure;

namespace Quicksilver.Gateway.Tests.EndToEnd;

/// <summary>A fact that needs Node.js and the official OpenAI Node SDK installed in <c>tests/sdk/node</c>.</summary>
public sealed class NodeOpenAISdkFactAttribute : FactAttribute
{
    public NodeOpenAISdkFactAttribute()
    {
        if (!File.Exists(Path.Combine(Folder, "node_modules", "openai", "package.json")))
        {
            Skip = "The official OpenAI Node SDK is not installed: run `npm ci --prefix tests/sdk/node` (.ci/run does).";
        }
        else if (!ProgramPath.Has("node"))
        {
            Skip = "Node.js (`node`) is not on PATH.";
        }
    }

    /// <summary><c>tests/sdk/node</c>: the SDK's package and the checks it runs.</summary>
    public static string Folder { get; } = Path.Combine(RepositoryFolders.Root, "tests", "sdk", "node");
}
