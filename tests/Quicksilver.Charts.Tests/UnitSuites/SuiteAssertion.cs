using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Quicksilver.Charts.Tests.UnitSuites;

/// <summary>
/// One helm-unittest assertion checked on a <see cref="SuiteRender"/>, with helm-unittest's rules: it holds for every
/// document of every template it names (or the one at <c>documentIndex</c>, the test's over the assertion's); a
/// template with no document passes only a negated assertion (and <c>hasDocuments</c>); values are compared as Go's
/// <c>reflect.DeepEqual</c> compares them (an integer never equals a float), strings found with trailing spaces before
/// line ends and leading blank lines removed; <c>contains</c> matches whole list elements (with <c>any</c>, a mapping's
/// given keys), exactly <c>count</c> of them when given. Only the kinds and parameters the chart's suites use are read:
/// any other, and any pattern whose meaning differs between Go's regular expressions and .NET's, is a failure that
/// names it.
/// </summary>
internal static partial class SuiteAssertion
{
    private static readonly HashSet<string> Modifiers = new(StringComparer.Ordinal) { "template", "documentIndex", "not" };

    /// <summary>Each assertion kind read here: the check it makes, whether it is that check's negation, and its parameters.</summary>
    private static readonly Dictionary<string, (string Check, bool Antonym, string[] Parameters)> Kinds = new(StringComparer.Ordinal)
    {
        ["equal"] = ("equal", false, ["path", "value"]),
        ["notEqual"] = ("equal", true, ["path", "value"]),
        ["exists"] = ("exists", false, ["path"]),
        ["notExists"] = ("exists", true, ["path"]),
        ["contains"] = ("contains", false, ["path", "content", "count", "any"]),
        ["notContains"] = ("contains", true, ["path", "content", "count", "any"]),
        ["matchRegex"] = ("matchRegex", false, ["path", "pattern"]),
        ["notMatchRegex"] = ("matchRegex", true, ["path", "pattern"]),
        ["lengthEqual"] = ("lengthEqual", false, ["path", "count"]),
        ["notLengthEqual"] = ("lengthEqual", true, ["path", "count"]),
        ["isKind"] = ("isKind", false, ["of"]),
        ["hasDocuments"] = ("hasDocuments", false, ["count"]),
        ["failedTemplate"] = ("failedTemplate", false, ["errorPattern"]),
        ["notFailedTemplate"] = ("failedTemplate", true, ["errorPattern"]),
    };

    /// <summary>Why <paramref name="assertion"/> fails on <paramref name="render"/>; empty when it holds.</summary>
    /// <param name="assertion">The assertion's YAML mapping.</param>
    /// <param name="render">The test's render.</param>
    /// <param name="templates">The templates it is about unless it names one: the test's <c>template</c>, or the suite's.</param>
    /// <param name="testDocumentIndex">The test's <c>documentIndex</c>, which wins over the assertion's.</param>
    public static List<string> Failures(JsonObject assertion, SuiteRender render, IReadOnlyList<string> templates, int? testDocumentIndex)
    {
        string kind = assertion.Select(entry => entry.Key).Single(key => !Modifiers.Contains(key));
        if (!Kinds.TryGetValue(kind, out (string Check, bool Antonym, string[] Parameters) reading))
        {
            return [$"assertion kind '{kind}' is not read by this runner"];
        }

        JsonObject parameters = assertion[kind] as JsonObject ?? [];
        string[] unread = [.. parameters.Select(entry => entry.Key).Where(key => !reading.Parameters.Contains(key))];
        if (unread.Length > 0)
        {
            return [$"{kind}: parameter(s) {string.Join(", ", unread)} not read by this runner"];
        }

        bool negative = reading.Antonym != (assertion["not"]?.GetValue<bool>() ?? false);
        if (reading.Check == "failedTemplate")
        {
            return FailedTemplate(kind, parameters, render, negative);
        }

        if (!render.Succeeded)
        {
            return [$"{kind}: the render failed: {render.Error.Trim()}"];
        }

        var failures = new List<string>();
        string[] named = assertion["template"] is { } template ? [template.ToString()] : [.. templates];
        int? index = testDocumentIndex ?? (int?)assertion["documentIndex"]?.GetValue<long>();
        foreach (string name in named)
        {
            if (!render.Documents.TryGetValue(name, out List<JsonObject>? documents))
            {
                failures.Add($"{kind}: template {name} is not among the suite's templates");
            }
            else if (reading.Check == "hasDocuments")
            {
                long count = parameters["count"]!.GetValue<long>();
                if ((documents.Count == count) == negative)
                {
                    failures.Add($"{kind}: {name} has {documents.Count} document(s), expected {(negative ? "not " : string.Empty)}{count}");
                }
            }
            else if (index >= documents.Count)
            {
                failures.Add($"{kind}: {name} has {documents.Count} document(s), no index {index}");
            }
            else if (index is not null && documents.Select(d => d["kind"]?.ToString()).Distinct().Count() > 1)
            {
                // helm template orders a template's documents by kind, helm-unittest keeps the template's order.
                failures.Add($"{kind}: {name} renders documents of several kinds, whose order helm template and helm-unittest give differently; select one with template/kind instead of documentIndex");
            }
            else
            {
                List<JsonObject> selected = index is { } i ? [documents[i]] : documents;
                if (selected.Count == 0 && !negative)
                {
                    failures.Add($"{kind}: {name} rendered no document");
                }

                failures.AddRange(selected.SelectMany(document => DocumentFailures(kind, reading.Check, parameters, negative, document).Select(failure => $"{kind} on {name}: {failure}")));
            }
        }

        return failures;
    }

    private static IEnumerable<string> DocumentFailures(string kind, string check, JsonObject parameters, bool negative, JsonObject document)
    {
        if (check == "isKind")
        {
            string of = parameters["of"]!.ToString();
            return (document["kind"]?.ToString() == of) == negative ? [$"kind is {document["kind"]}, expected {(negative ? "not " : string.Empty)}{of}"] : [];
        }

        var path = ManifestPath.Parse(parameters["path"]!.ToString());
        bool found = path.TryFind(document, out JsonNode? actual);
        if (check == "exists")
        {
            return found == negative ? [$"{path.Text} {(found ? "exists" : "does not exist")}"] : [];
        }

        if (!found)
        {
            return negative ? [] : [$"{path.Text} does not exist"];
        }

        bool holds = check switch
        {
            "equal" => DeepEqual(parameters["value"], Uniform(actual)),
            "matchRegex" => actual is JsonValue value && value.TryGetValue(out string? text)
                ? GoRegex(parameters["pattern"]!.ToString()).IsMatch(text)
                : throw new InvalidDataException($"{path.Text} is not a string"),
            "contains" => Contains(parameters, actual as JsonArray ?? throw new InvalidDataException($"{path.Text} is not a list")),
            "lengthEqual" => (actual as JsonArray)?.Count == parameters["count"]!.GetValue<long>() || (actual is not JsonArray && parameters["count"]!.GetValue<long>() == 0),
            _ => throw new NotSupportedException($"assertion kind '{kind}'"),
        };
        return holds == negative ? [$"{path.Text} is {actual?.ToJsonString() ?? "null"}; expected {(negative ? "not " : string.Empty)}{check} {parameters.ToJsonString()}"] : [];
    }

    /// <summary>helm-unittest's <c>contains</c>: found at least once, and exactly <c>count</c> times when given.</summary>
    private static bool Contains(JsonObject parameters, JsonArray list)
    {
        JsonNode? content = parameters["content"];
        bool any = parameters["any"]?.GetValue<bool>() ?? false;
        int matches = list.Count(element => any && element is JsonObject mapping && content is JsonObject wanted
            ? wanted.All(entry => mapping.TryGetPropertyValue(entry.Key, out JsonNode? value) && DeepEqual(value, entry.Value))
            : DeepEqual(element, content));
        return matches > 0 && (parameters["count"] is not { } count || matches == count.GetValue<long>());
    }

    private static List<string> FailedTemplate(string kind, JsonObject parameters, SuiteRender render, bool negative)
    {
        if (render.Succeeded)
        {
            return negative ? [] : [$"{kind}: the render succeeded"];
        }

        if (parameters["errorPattern"]?.ToString() is not { } pattern)
        {
            return negative ? [$"{kind}: the render failed: {render.Error.Trim()}"] : [];
        }

        // helm-unittest retries a pattern that does not match as literal text.
        bool matches = GoRegex(pattern).IsMatch(render.Error) || render.Error.Contains(pattern, StringComparison.Ordinal);
        return matches == negative ? [$"{kind}: the error {(matches ? "matches" : "does not match")} '{pattern}': {render.Error.Trim()}"] : [];
    }

    /// <summary>
    /// A Go (RE2) pattern as a .NET regular expression with the same matches: without <c>(?m)</c>, <c>$</c> is the end of
    /// the text only (in .NET it also matches before a final line end). Lookaround, back-references, POSIX classes and
    /// Unicode-sensitive classes, which RE2 refuses or reads differently, are refused.
    /// </summary>
    private static Regex GoRegex(string pattern)
    {
        if (DifferentInGo().IsMatch(pattern))
        {
            throw new NotSupportedException($"pattern '{pattern}': lookaround, back-references, POSIX and \\d \\w \\s \\b classes read differently in Go and are not read by this runner");
        }

        string translated = pattern.Contains("(?m)", StringComparison.Ordinal) ? pattern : UnescapedDollar().Replace(pattern, @"\z");
        return new Regex(translated, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));
    }

    /// <summary>Go's <c>reflect.DeepEqual</c> over YAML values: numbers equal only as two integers or two floats.</summary>
    private static bool DeepEqual(JsonNode? a, JsonNode? b) => (a, b) switch
    {
        (null, null) => true,
        (JsonObject x, JsonObject y) => x.Count == y.Count && x.All(entry => y.TryGetPropertyValue(entry.Key, out JsonNode? other) && DeepEqual(entry.Value, other)),
        (JsonArray x, JsonArray y) => x.Count == y.Count && x.Zip(y).All(pair => DeepEqual(pair.First, pair.Second)),
        (JsonValue x, JsonValue y) when x.GetValueKind() == JsonValueKind.Number && y.GetValueKind() == JsonValueKind.Number =>
            x.TryGetValue(out long i) == y.TryGetValue(out long j) && JsonNode.DeepEquals(x, y) && i == j,
        (JsonValue x, JsonValue y) => JsonNode.DeepEquals(x, y),
        _ => false,
    };

    /// <summary>A found string as helm-unittest compares it: spaces before a line end and leading line ends removed.</summary>
    private static JsonNode? Uniform(JsonNode? actual) =>
        actual is JsonValue value && value.TryGetValue(out string? text)
            ? JsonValue.Create(TrailingSpaces().Replace(text, "\n").TrimStart('\n'))
            : actual;

    [GeneratedRegex(@"(?m)[ ]+\r?\n")]
    private static partial Regex TrailingSpaces();

    [GeneratedRegex(@"\(\?[=!<]|\\[1-9dDwWsSbB]|\[\[:")]
    private static partial Regex DifferentInGo();

    [GeneratedRegex(@"(?<!\\)\$")]
    private static partial Regex UnescapedDollar();
}
