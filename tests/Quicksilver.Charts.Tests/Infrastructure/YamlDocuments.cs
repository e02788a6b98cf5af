using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Quicksilver.Charts.Tests.Infrastructure;

/// <summary>
/// Reads YAML (one or more documents) into <see cref="JsonNode"/> trees, resolving plain scalars by the YAML 1.2 core
/// schema (null, booleans, integers, floats), as Helm's values reach the schema validator. Parse errors surface as
/// <see cref="YamlException"/> with the line and column.
/// </summary>
internal static partial class YamlDocuments
{
    /// <summary>Every document of <paramref name="yaml"/>; empty documents are <c>null</c>.</summary>
    /// <param name="yaml">The text.</param>
    /// <param name="allowDuplicateKeys">Keep the first of repeated keys instead of failing (stubbed templates repeat keys
    /// across the branches of an <c>if</c>/<c>else</c>).</param>
    public static List<JsonNode?> Parse(string yaml, bool allowDuplicateKeys = false)
    {
        var parser = new Parser(new StringReader(yaml));
        var anchors = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var documents = new List<JsonNode?>();
        parser.Consume<StreamStart>();
        while (parser.TryConsume<DocumentStart>(out _))
        {
            JsonNode? root = parser.Accept<DocumentEnd>(out _) ? null : ReadNode(parser, anchors, allowDuplicateKeys);
            parser.Consume<DocumentEnd>();
            documents.Add(root);
        }

        parser.Consume<StreamEnd>();
        return documents;
    }

    /// <summary>The single document of <paramref name="yaml"/> as a mapping.</summary>
    public static JsonObject ParseMapping(string yaml) =>
        Parse(yaml).SingleOrDefault() as JsonObject ?? throw new InvalidDataException("expected one YAML mapping");

    private static JsonNode? ReadNode(IParser parser, Dictionary<string, JsonNode?> anchors, bool allowDuplicateKeys)
    {
        if (parser.TryConsume<AnchorAlias>(out AnchorAlias? alias))
        {
            return anchors.TryGetValue(alias.Value.Value, out JsonNode? target)
                ? target?.DeepClone()
                : throw new YamlException(alias.Start, alias.End, $"unknown alias *{alias.Value}");
        }

        JsonNode? node;
        string? anchor;
        if (parser.TryConsume<Scalar>(out Scalar? scalar))
        {
            node = Resolve(scalar);
            anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
        }
        else if (parser.TryConsume<SequenceStart>(out SequenceStart? sequenceStart))
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                array.Add(ReadNode(parser, anchors, allowDuplicateKeys));
            }

            node = array;
            anchor = sequenceStart.Anchor.IsEmpty ? null : sequenceStart.Anchor.Value;
        }
        else
        {
            MappingStart mappingStart = parser.Consume<MappingStart>();
            var mapping = new JsonObject();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                Scalar key = parser.Current as Scalar
                    ?? throw new YamlException(parser.Current!.Start, parser.Current.End, "only scalar keys are supported");
                parser.MoveNext();
                JsonNode? value = ReadNode(parser, anchors, allowDuplicateKeys);
                if (mapping.ContainsKey(key.Value))
                {
                    if (!allowDuplicateKeys)
                    {
                        throw new YamlException(key.Start, key.End, $"duplicate key '{key.Value}'");
                    }

                    continue;
                }

                mapping[key.Value] = value;
            }

            node = mapping;
            anchor = mappingStart.Anchor.IsEmpty ? null : mappingStart.Anchor.Value;
        }

        if (anchor is not null)
        {
            anchors[anchor] = node?.DeepClone();
        }

        return node;
    }

    private static JsonValue? Resolve(Scalar scalar)
    {
        string text = scalar.Value;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (text is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
        {
            return JsonValue.Create(integer);
        }

        if (FloatPattern().IsMatch(text))
        {
            return JsonValue.Create(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
