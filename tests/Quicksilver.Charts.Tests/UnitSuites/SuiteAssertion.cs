using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Quicksilver.Charts.Tests.UnitSuites;

/// <summary>
/// One helm-unittest assertion checked on a <see cref="SuiteRender"/>, with helm-unittest's rules: it holds for every
/// document of every template it names (or the one at <c>documentIndex</c>); a template with no document passes only a
/// negated assertion (and <c>hasDocuments</c>); strings found are compared with trailing spaces before line ends and
/// leading blank lines removed; <c>contains</c> matches whole list elements (with <c>any</c>, a mapping's given keys),
/// exactly <c>count</c> of them when given. The assertion kinds the chart's suites use are read; any other is a
/// failure that names it.
/// </summary>
internal static partial class SuiteAssertion
{
    private static readonly HashSet<string> Modifiers = new(StringComparer.Ordinal) { "template", "documentIndex", "not" };

    private static readonly HashSet<string> Validators = new(StringComparer.Ordinal) { "equal", "exists", "contains", "matchRegex", "lengthEqual", "isKind", "hasDocuments", "failedTemplate" };

    /// <summary>Why <paramref name="assertion"/> fails on <paramref name="render"/>; empty when it holds.</summary>
    /// <param name="assertion">The assertion's YAML mapping.</param>
    /// <param name="render">The test's render.</param>
    /// <param name="templates">The templates it is about unless it names one: the test's <c>template</c>, or the suite's.</param>
    /// <param name="documentIndex">The test's <c>documentIndex</c>, unless the assertion has its own.</param>
    public static List<string> Failures(JsonObject assertion, SuiteRender render, IReadOnlyList<string> templates, int? documentIndex)
    {
        string kind = assertion.Select(entry => entry.Key).Single(key => !Modifiers.Contains(key));
        JsonObject parameters = assertion[kind] as JsonObject ?? [];
        bool antonym = kind.StartsWith("not", StringComparison.Ordinal) && kind != "notFailedTemplate";
        bool negative = antonym != (assertion["not"]?.GetValue<bool>() ?? false);
        string validator = antonym ? char.ToLowerInvariant(kind[3]) + kind[4..] : kind;

        if (!Validators.Contains(validator))
        {
            return [$"assertion kind '{kind}' is not read by this runner"];
        }

        if (validator == "failedTemplate")
        {
            return FailedTemplate(parameters, render);
        }

        if (!render.Succeeded)
        {
            return [$"{kind}: the render failed: {render.Error.Trim()}"];
        }

        var failures = new List<string>();
        string[] named = assertion["template"] is { } template ? [template.ToString()] : [.. templates];
        foreach (string name in named)
        {
            if (!render.Documents.TryGetValue(name, out List<JsonObject>? documents))
            {
                failures.Add($"{kind}: template {name} is not among the suite's templates");
                continue;
            }

            int? index = (int?)assertion["documentIndex"]?.GetValue<long>() ?? documentIndex;
            if (index >= documents.Count)
            {
                failures.Add($"{kind}: {name} has {documents.Count} document(s), no index {index}");
                continue;
            }

            List<JsonObject> selected = index is { } i ? [documents[i]] : documents;
            if (validator == "hasDocuments")
            {
                long count = parameters["count"]!.GetValue<long>();
                if ((documents.Count == count) == negative)
                {
                    failures.Add($"{kind}: {name} has {documents.Count} document(s), expected {(negative ? "not " : string.Empty)}{count}");
                }

                continue;
            }

            if (selected.Count == 0 && !negative)
            {
                failures.Add($"{kind}: {name} rendered no document");
            }

            failures.AddRange(selected.SelectMany(document => DocumentFailures(kind, validator, parameters, negative, document).Select(failure => $"{kind} on {name}: {failure}")));
        }

        return failures;
    }

    private static IEnumerable<string> DocumentFailures(string kind, string validator, JsonObject parameters, bool negative, JsonObject document)
    {
        if (validator == "isKind")
        {
            string of = parameters["of"]!.ToString();
            return (document["kind"]?.ToString() == of) == negative ? [$"kind is {document["kind"]}, expected {(negative ? "not " : string.Empty)}{of}"] : [];
        }

        var path = ManifestPath.Parse(parameters["path"]!.ToString());
        bool found = path.TryFind(document, out JsonNode? actual);
        if (validator == "exists")
        {
            return found == negative ? [$"{path.Text} {(found ? "exists" : "does not exist")}"] : [];
        }

        if (!found)
        {
            return negative ? [] : [$"{path.Text} does not exist"];
        }

        bool holds = validator switch
        {
            "equal" => JsonNode.DeepEquals(parameters["value"], Uniform(actual)),
            "matchRegex" => actual is JsonValue value && value.TryGetValue(out string? text)
                ? Regex.IsMatch(text, parameters["pattern"]!.ToString(), RegexOptions.None, TimeSpan.FromSeconds(5))
                : throw new InvalidDataException($"{path.Text} is not a string"),
            "contains" => Contains(parameters, actual as JsonArray ?? throw new InvalidDataException($"{path.Text} is not a list")),
            "lengthEqual" => (actual as JsonArray ?? throw new InvalidDataException($"{path.Text} is not a list")).Count == parameters["count"]!.GetValue<long>(),
            _ => throw new NotSupportedException($"assertion kind '{kind}'"),
        };
        return holds == negative ? [$"{path.Text} is {actual?.ToJsonString() ?? "null"}; expected {(negative ? "not " : string.Empty)}{validator} {parameters.ToJsonString()}"] : [];
    }

    private static bool Contains(JsonObject parameters, JsonArray list)
    {
        JsonNode? content = parameters["content"];
        bool any = parameters["any"]?.GetValue<bool>() ?? false;
        int matches = list.Count(element => any && element is JsonObject mapping && content is JsonObject wanted
            ? wanted.All(entry => JsonNode.DeepEquals(mapping[entry.Key], entry.Value))
            : JsonNode.DeepEquals(element, content));
        return parameters["count"] is { } count ? matches == count.GetValue<long>() : matches > 0;
    }

    private static List<string> FailedTemplate(JsonObject parameters, SuiteRender render)
    {
        if (render.Succeeded)
        {
            return ["failedTemplate: the render succeeded"];
        }

        string pattern = parameters["errorPattern"]?.ToString() ?? throw new NotSupportedException("failedTemplate without errorPattern is not read by this runner");
        return Regex.IsMatch(render.Error, pattern, RegexOptions.None, TimeSpan.FromSeconds(5))
            ? []
            : [$"failedTemplate: the error does not match '{pattern}': {render.Error.Trim()}"];
    }

    /// <summary>A found string as helm-unittest compares it: spaces before a line end and leading line ends removed.</summary>
    private static JsonNode? Uniform(JsonNode? actual) =>
        actual is JsonValue value && value.TryGetValue(out string? text)
            ? JsonValue.Create(TrailingSpaces().Replace(text, "\n").TrimStart('\n'))
            : actual;

    [GeneratedRegex(@"(?m)[ ]+\r?\n")]
    private static partial Regex TrailingSpaces();
}
