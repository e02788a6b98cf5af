using System.Text.Json.Nodes;

namespace Quicksilver.Charts.Tests.UnitSuites;

/// <summary>
/// A helm-unittest path into a manifest: keys separated by dots (a key runs to the next <c>.</c> or <c>[</c>), list
/// indexes <c>[0]</c>, and quoted keys <c>["app.kubernetes.io/name"]</c> for keys with dots or slashes.
/// </summary>
internal sealed class ManifestPath
{
    private readonly List<object> _steps;

    private ManifestPath(string text, List<object> steps)
    {
        Text = text;
        _steps = steps;
    }

    public string Text { get; }

    /// <summary>Reads <paramref name="text"/>; throws on path syntax helm-unittest reads and this class does not (wildcards, filters, slices, escapes).</summary>
    public static ManifestPath Parse(string text)
    {
        if (text.IndexOfAny(['$', '*', '?', '@', '\\', ' ', '=', '!', '<', '>', '&', '|', '(', ')', '~', ':', ',']) >= 0 || text.Contains("..", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"path '{text}': wildcards, filters, slices, unions, escapes and operators are not read by this runner");
        }

        var steps = new List<object>();
        int i = 0;
        while (i < text.Length)
        {
            if (text[i] == '[')
            {
                int close = text.IndexOf(']', i);
                if (close < 0)
                {
                    throw new FormatException($"path '{text}': '[' without ']'");
                }

                string inside = text[(i + 1)..close];
                steps.Add(inside.Length >= 2 && (inside[0] is '"' or '\'') && inside[^1] == inside[0]
                    ? inside[1..^1]
                    : int.TryParse(inside, out int index) && index >= 0 ? index : throw new FormatException($"path '{text}': '[{inside}]' is neither an index nor a quoted key"));
                i = close + 1;
            }
            else
            {
                int end = text.IndexOfAny(['.', '['], i);
                end = end < 0 ? text.Length : end;
                steps.Add(end > i ? text[i..end] : throw new FormatException($"path '{text}': an empty key at {i}"));
                i = end;
            }

            if (i < text.Length && text[i] == '.')
            {
                i++;
            }
        }

        return new ManifestPath(text, steps);
    }

    /// <summary>Finds the path in <paramref name="manifest"/>: whether it is there, and its value (which may be null).</summary>
    public bool TryFind(JsonNode manifest, out JsonNode? value)
    {
        JsonNode? node = manifest;
        foreach (object step in _steps)
        {
            switch (step, node)
            {
                case (string key, JsonObject mapping) when mapping.TryGetPropertyValue(key, out JsonNode? child):
                    node = child;
                    break;
                case (int index, JsonArray list) when index < list.Count:
                    node = list[index];
                    break;
                default:
                    value = null;
                    return false;
            }
        }

        value = node;
        return true;
    }
}
