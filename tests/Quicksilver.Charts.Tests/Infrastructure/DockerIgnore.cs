using System.Text.RegularExpressions;

namespace Quicksilver.Charts.Tests.Infrastructure;

/// <summary>
/// .dockerignore rules as BuildKit applies them: patterns relative to the context root, <c>**</c> any number of
/// folders, <c>*</c> within one name, a leading <c>!</c> re-includes, the last matching rule wins, and a folder's rule
/// covers what is below it.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exclude)> rules;

    public DockerIgnore(string text) =>
        rules = [.. text.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.StartsWith('!') ? (ToRegex(line[1..]), false) : (ToRegex(line), true))];

    public bool Excludes(string relativePath)
    {
        string path = relativePath.Replace('\\', '/').Trim('/');
        bool excluded = false;
        foreach ((Regex pattern, bool exclude) in rules)
        {
            if (pattern.IsMatch(path))
            {
                excluded = exclude;
            }
        }

        return excluded;
    }

    private static Regex ToRegex(string pattern)
    {
        string body = Regex.Escape(pattern.Trim('/'))
            .Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal)
            .Replace(@"\*\*", ".*", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal);
        return new Regex($"^{body}(/.*)?$");
    }
}
