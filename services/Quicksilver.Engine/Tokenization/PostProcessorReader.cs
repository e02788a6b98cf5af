using System.Text.Json;
using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Tokenization;

/// <summary>
/// Reads the special tokens a <c>tokenizer.json</c> <c>post_processor</c> puts around a single text:
/// <c>TemplateProcessing</c> (its <c>single</c> template), <c>BertProcessing</c> and <c>RobertaProcessing</c>
/// (<c>cls</c> text <c>sep</c>), <c>ByteLevel</c> (none: it only moves offsets) and a <c>Sequence</c> of these, each
/// wrapping what the one before it made.
/// </summary>
internal static class PostProcessorReader
{
    /// <summary>The post-processor's special tokens; null when the file has none.</summary>
    public static PromptSpecialTokens? Read(JsonFieldReader context, JsonElement root, IReadOnlySet<int> ids)
    {
        if (!root.TryGetProperty("post_processor", out JsonElement processor) || processor.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return Read(context, processor, "post_processor", ids);
    }

    private static PromptSpecialTokens Read(JsonFieldReader context, JsonElement processor, string field, IReadOnlySet<int> ids)
    {
        if (processor.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointException(context.Path, field, $"is a JSON {JsonFieldReader.Describe(processor)}, not an object");
        }

        string type = context.ReadString(context.Require(processor, "type", field + ".type"), field + ".type");
        return type switch
        {
            "ByteLevel" => PromptSpecialTokens.None,
            "TemplateProcessing" => ReadTemplate(context, processor, field, ids),
            "BertProcessing" or "RobertaProcessing" => new PromptSpecialTokens(
                [ReadNamedId(context, processor, "cls", field, ids)],
                [ReadNamedId(context, processor, "sep", field, ids)]),
            "Sequence" => ReadSequence(context, processor, field, ids),
            _ => throw new CheckpointException(context.Path, field + ".type", $"'{type}' is not supported (TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel and Sequence are)"),
        };
    }

    private static PromptSpecialTokens ReadSequence(JsonFieldReader context, JsonElement processor, string field, IReadOnlySet<int> ids)
    {
        JsonElement steps = context.Require(processor, "processors", field + ".processors");
        if (steps.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointException(context.Path, field + ".processors", $"is a JSON {JsonFieldReader.Describe(steps)}, not an array");
        }

        PromptSpecialTokens wrapped = PromptSpecialTokens.None;
        int index = 0;
        foreach (JsonElement step in steps.EnumerateArray())
        {
            PromptSpecialTokens outer = Read(context, step, $"{field}.processors[{index++}]", ids);
            wrapped = new PromptSpecialTokens([.. outer.Prefix, .. wrapped.Prefix], [.. wrapped.Suffix, .. outer.Suffix]);
        }

        return wrapped;
    }

    /// <summary>The <c>single</c> template: special tokens (by their entry in <c>special_tokens</c>) around sequence A.</summary>
    private static PromptSpecialTokens ReadTemplate(JsonFieldReader context, JsonElement processor, string field, IReadOnlySet<int> ids)
    {
        JsonElement single = context.Require(processor, "single", field + ".single");
        if (single.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointException(context.Path, field + ".single", $"is a JSON {JsonFieldReader.Describe(single)}, not an array");
        }

        var prefix = new List<int>();
        var suffix = new List<int>();
        bool sawText = false;
        int index = 0;
        foreach (JsonElement piece in single.EnumerateArray())
        {
            string pieceField = $"{field}.single[{index++}]";
            if (piece.ValueKind == JsonValueKind.Object && piece.TryGetProperty("Sequence", out _))
            {
                sawText = true;
            }
            else if (piece.ValueKind == JsonValueKind.Object && piece.TryGetProperty("SpecialToken", out JsonElement special))
            {
                string name = context.ReadString(context.Require(special, "id", pieceField + ".SpecialToken.id"), pieceField + ".SpecialToken.id");
                (sawText ? suffix : prefix).AddRange(ReadSpecialTokenIds(context, processor, name, field, ids));
            }
            else
            {
                throw new CheckpointException(context.Path, pieceField, "is neither {\"Sequence\": …} nor {\"SpecialToken\": …}");
            }
        }

        return sawText
            ? new PromptSpecialTokens(prefix, suffix)
            : throw new CheckpointException(context.Path, field + ".single", "has no Sequence: the text would be dropped");
    }

    private static List<int> ReadSpecialTokenIds(JsonFieldReader context, JsonElement processor, string name, string field, IReadOnlySet<int> ids)
    {
        string entryField = $"{field}.special_tokens[\"{name}\"]";
        JsonElement entry = context.Require(context.RequireObject(processor, "special_tokens", field + ".special_tokens"), name, entryField);
        JsonElement list = context.Require(entry, "ids", entryField + ".ids");
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointException(context.Path, entryField + ".ids", $"is a JSON {JsonFieldReader.Describe(list)}, not an array");
        }

        var result = new List<int>();
        int index = 0;
        foreach (JsonElement id in list.EnumerateArray())
        {
            result.Add(Known(context, context.ReadId(id, $"{entryField}.ids[{index}]"), $"{entryField}.ids[{index}]", ids));
            index++;
        }

        return result;
    }

    /// <summary>A <c>["token", id]</c> pair, as BertProcessing and RobertaProcessing write <c>cls</c> and <c>sep</c>.</summary>
    private static int ReadNamedId(JsonFieldReader context, JsonElement processor, string name, string field, IReadOnlySet<int> ids)
    {
        JsonElement pair = context.Require(processor, name, $"{field}.{name}");
        if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2)
        {
            throw new CheckpointException(context.Path, $"{field}.{name}", "is not a [token, id] pair");
        }

        return Known(context, context.ReadId(pair[1], $"{field}.{name}[1]"), $"{field}.{name}[1]", ids);
    }

    private static int Known(JsonFieldReader context, int id, string field, IReadOnlySet<int> ids) =>
        ids.Contains(id) ? id : throw new CheckpointException(context.Path, field, $"is {id}, which is neither in the vocabulary nor an added token");
}
