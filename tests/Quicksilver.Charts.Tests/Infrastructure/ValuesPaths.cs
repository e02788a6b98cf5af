using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Quicksilver.Charts.Tests.Infrastructure;

/// <summary>
/// The values paths a chart's templates read, and whether values.yaml has them. Found: <c>.Values.a.b</c> (also as
/// <c>$.Values</c> and <c>.root.Values</c>), <c>.model.a</c> in per-model defines (an item of <c>models</c>), and
/// variables bound to such paths in the same file (<c>$pods := .Values.pods</c>, <c>range $m := .Values.models</c>),
/// followed one hop at a time. An item of a list is read from the list's first item in values.yaml, or from the
/// schema's <c>items</c> when the default list is empty.
/// Limits: paths reached through <c>with</c> (a bare <c>.a</c>), <c>index</c>, or a variable bound to the result of a
/// function (<c>merge</c>, <c>default</c>) are not seen.
/// </summary>
internal static partial class ValuesPaths
{
    /// <summary>Paths as segments; <c>[]</c> stands for "an item of this list".</summary>
    public static HashSet<string> Used(IEnumerable<string> templateTexts)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (string text in templateTexts)
        {
            var variables = new Dictionary<string, string>(StringComparer.Ordinal);
            // Bind variables in file order until nothing new resolves (a variable may be bound from another one).
            for (int pass = 0; pass < 4; pass++)
            {
                foreach (Match binding in Binding().Matches(text))
                {
                    string variable = binding.Groups["var"].Value;
                    string? path = Resolve(binding.Groups["expr"].Value, variables);
                    if (path is not null && !variables.ContainsKey(variable))
                    {
                        variables[variable] = binding.Groups["range"].Success ? path + ".[]" : path;
                    }
                }
            }

            foreach (Match reference in Reference().Matches(text))
            {
                string? path = Resolve(reference.Value, variables);
                if (path is not null)
                {
                    used.Add(path);
                }
            }
        }

        return used;
    }

    /// <summary>The used paths that neither values.yaml nor (for list items) the schema declares.</summary>
    public static List<string> Missing(IEnumerable<string> used, JsonObject values, JsonObject schema) =>
        [.. used.Where(path => !Exists(path, values, schema)).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The keys of values.yaml that no template reads: neither the key nor a key above or below it is a used path.
    /// Lists are entered through their first item.
    /// </summary>
    public static List<string> Unused(JsonObject values, IReadOnlySet<string> used)
    {
        var unused = new List<string>();
        Walk(values, ".Values");
        return unused;

        void Walk(JsonNode? node, string path)
        {
            if (path != ".Values" && !used.Any(u => u == path || u.StartsWith(path + ".", StringComparison.Ordinal) || path.StartsWith(u + ".", StringComparison.Ordinal)))
            {
                unused.Add(path);
                return;
            }

            if (node is JsonObject mapping)
            {
                foreach ((string key, JsonNode? child) in mapping)
                {
                    Walk(child, $"{path}.{key}");
                }
            }
            else if (node is JsonArray { Count: > 0 } list && list[0] is JsonObject)
            {
                Walk(list[0], path + ".[]");
            }
        }
    }

    private static string? Resolve(string expression, Dictionary<string, string> variables)
    {
        Match values = ValuesPath().Match(expression);
        if (values.Success)
        {
            return ".Values" + values.Groups[1].Value;
        }

        Match model = ModelPath().Match(expression);
        if (model.Success && !expression.StartsWith('$'))
        {
            return ".Values.models.[]" + model.Groups[1].Value;
        }

        Match variable = VariablePath().Match(expression);
        return variable.Success && variables.TryGetValue(variable.Groups[1].Value, out string? bound)
            ? bound + variable.Groups[2].Value
            : null;
    }

    private static bool Exists(string path, JsonObject values, JsonObject schema)
    {
        JsonNode? node = values;
        JsonNode? schemaNode = schema;
        foreach (string segment in path.Split('.', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            if (segment == "[]")
            {
                schemaNode = schemaNode?["items"];
                node = node is JsonArray { Count: > 0 } list ? list[0] : null;
                if (node is null && schemaNode is null)
                {
                    return false;
                }

                continue;
            }

            schemaNode = schemaNode?["properties"]?[segment];
            if (node is JsonObject mapping)
            {
                if (!mapping.ContainsKey(segment))
                {
                    return false;
                }

                node = mapping[segment];
            }
            else if (node is null && schemaNode is not null)
            {
                // Inside an empty default list: the schema says what its items hold.
                continue;
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"(?:\$|\.root)?\.Values(?:\.[A-Za-z_]\w*)+|(?<![\w)])\.model(?:\.[A-Za-z_]\w*)+|\$[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")]
    private static partial Regex Reference();

    [GeneratedRegex(@"(?<range>range\s+(?:\$\w+\s*,\s*)?)?\$(?<var>[A-Za-z_]\w*)\s*:=\s*(?<expr>(?:\$|\.root)?\.Values(?:\.\w+)*|\.model(?:\.\w+)*|\$\w+(?:\.\w+)*)(?=\s*(?:-?\}\}|\)))")]
    private static partial Regex Binding();

    [GeneratedRegex(@"\.Values((?:\.[A-Za-z_]\w*)*)")]
    private static partial Regex ValuesPath();

    [GeneratedRegex(@"^\.model((?:\.[A-Za-z_]\w*)*)$")]
    private static partial Regex ModelPath();

    [GeneratedRegex(@"^\$([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)$")]
    private static partial Regex VariablePath();
}
