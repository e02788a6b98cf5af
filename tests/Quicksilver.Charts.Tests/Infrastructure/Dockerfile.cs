using System.Text.RegularExpressions;

namespace Quicksilver.Charts.Tests.Infrastructure;

/// <summary>The stages of a Dockerfile and their instructions (line continuations joined, comments dropped).</summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(List<Stage> stages) => Stages = stages;

    public IReadOnlyList<Stage> Stages { get; }

    public Stage this[string name] => Stages.Single(stage => stage.Name == name);

    public static Dockerfile Parse(string text)
    {
        var stages = new List<Stage>();
        string joined = Continuation().Replace(text, " ");
        foreach (string raw in joined.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            int space = line.IndexOf(' ', StringComparison.Ordinal);
            string keyword = (space < 0 ? line : line[..space]).ToUpperInvariant();
            string arguments = space < 0 ? string.Empty : line[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                Match from = From().Match(arguments);
                stages.Add(new Stage(from.Groups["name"].Success ? from.Groups["name"].Value : string.Empty, from.Groups["image"].Value, []));
            }
            else if (stages.Count > 0)
            {
                stages[^1].Instructions.Add((keyword, arguments));
            }
        }

        return new Dockerfile(stages);
    }

    [GeneratedRegex(@"\\\r?\n")]
    private static partial Regex Continuation();

    [GeneratedRegex(@"^(?:--platform=\S+\s+)?(?<image>\S+)(?:\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex From();
}

/// <summary>One <c>FROM</c> stage.</summary>
internal sealed record Stage(string Name, string Image, List<(string Keyword, string Arguments)> Instructions)
{
    /// <summary>The sources of each <c>COPY</c>/<c>ADD</c> from the build context (not <c>--from</c> another stage).</summary>
    public IEnumerable<string> ContextSources =>
        Instructions
            .Where(i => i.Keyword is "COPY" or "ADD" && !i.Arguments.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(i =>
            {
                string[] words = [.. i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("--", StringComparison.Ordinal))];
                return words[..^1];
            });

    public string? User => Instructions.LastOrDefault(i => i.Keyword == "USER").Arguments;
}
