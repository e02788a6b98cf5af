using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Quicksilver.Charts.Tests.Infrastructure;

/// <summary>values.yaml, the schema, and how Helm combines a user's values file with the defaults.</summary>
internal static class ValuesFiles
{
    public static JsonObject Defaults() => YamlDocuments.ParseMapping(File.ReadAllText(ChartFolders.ValuesFile));

    public static JsonObject SchemaDocument() => JsonNode.Parse(File.ReadAllText(ChartFolders.SchemaFile))!.AsObject();

    public static JsonSchema Schema() => JsonSchema.FromText(File.ReadAllText(ChartFolders.SchemaFile));

    /// <summary>
    /// <paramref name="overrides"/> over <paramref name="defaults"/> as Helm coalesces them: maps merge key by key,
    /// anything else (lists included) replaces, and an explicit null removes the default.
    /// </summary>
    public static JsonObject Merge(JsonObject defaults, JsonObject overrides)
    {
        var merged = defaults.DeepClone().AsObject();
        foreach ((string key, JsonNode? value) in overrides)
        {
            if (value is null)
            {
                merged.Remove(key);
            }
            else if (value is JsonObject child && merged[key] is JsonObject existing)
            {
                merged[key] = Merge(existing, child);
            }
            else
            {
                merged[key] = value.DeepClone();
            }
        }

        return merged;
    }

    /// <summary>The schema's errors for <paramref name="values"/> as <c>/instance/location: message</c>; empty when valid.</summary>
    public static List<string> Validate(JsonNode values)
    {
        using JsonDocument document = JsonDocument.Parse(values.ToJsonString());
        EvaluationResults results = Schema().Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        // The list holds failures that do not make the document invalid: an `if` that did not match, the losing
        // branches of an `anyOf`. Keep a failure only when every schema location above it failed too.
        IReadOnlyList<EvaluationResults> details = results.Details ?? [];
        var passed = details.Where(detail => detail.IsValid).Select(detail => detail.EvaluationPath.ToString()).ToHashSet(StringComparer.Ordinal);
        return [.. details
            .Where(detail => detail.Errors is { Count: > 0 } && !Ancestors(detail.EvaluationPath.ToString()).Any(passed.Contains))
            .SelectMany(detail => detail.Errors!.Select(error => $"{detail.InstanceLocation}: {error.Value}"))];
    }

    private static IEnumerable<string> Ancestors(string evaluationPath)
    {
        for (int slash = evaluationPath.LastIndexOf('/'); slash > 0; slash = evaluationPath.LastIndexOf('/', slash - 1))
        {
            yield return evaluationPath[..slash];
        }
    }
}
