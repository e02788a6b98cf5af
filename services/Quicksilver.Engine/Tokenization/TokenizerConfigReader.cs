using System.Text;
using System.Text.Json;
using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Tokenization;

/// <summary>Reads a <c>tokenizer_config.json</c> into a <see cref="TokenizerConfig"/>.</summary>
public static class TokenizerConfigReader
{
    /// <summary>The file name Hugging Face gives the config.</summary>
    public const string FileName = "tokenizer_config.json";

    /// <summary>The file newer Hugging Face releases keep the chat template in, beside the config.</summary>
    public const string ChatTemplateFileName = "chat_template.jinja";

    /// <summary>Values of <c>model_max_length</c> at or above this mean "no limit" (Hugging Face writes <c>int(1e30)</c>).</summary>
    private const double NoLimitSentinel = 1e18;

    /// <summary>
    /// Reads <paramref name="path"/>. A <c>chat_template.jinja</c> beside it is the template, over any
    /// <c>chat_template</c> in the config, as transformers loads it. Throws <see cref="CheckpointException"/> naming the
    /// file and the field for an unreadable file, malformed JSON or a field of the wrong shape.
    /// </summary>
    public static TokenizerConfig Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string json = ReadText(path);
        TokenizerConfig config = Parse(json, path) with { ChatTemplatePath = path };
        string sidecar = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", ChatTemplateFileName);
        return File.Exists(sidecar) ? config with { ChatTemplate = ReadText(sidecar), ChatTemplatePath = sidecar } : config;
    }

    /// <summary>Reads <paramref name="path"/> (<see cref="Read"/>) when the file exists; else an empty configuration.</summary>
    public static TokenizerConfig ReadIfPresent(string path) => File.Exists(path) ? Read(path) : new TokenizerConfig();

    /// <summary>Parses the text of a <c>tokenizer_config.json</c>; <paramref name="sourcePath"/> names it in errors.</summary>
    public static TokenizerConfig Parse(string json, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(sourcePath, null, $"malformed JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException(sourcePath, null, "the top level is not a JSON object");
            }

            return new TokenizerConfig
            {
                BosToken = ReadToken(root, "bos_token", sourcePath),
                EosToken = ReadToken(root, "eos_token", sourcePath),
                PadToken = ReadToken(root, "pad_token", sourcePath),
                MaskToken = ReadToken(root, "mask_token", sourcePath),
                ChatTemplate = ReadChatTemplate(root, sourcePath),
                ModelMaxLength = ReadMaxLength(root, sourcePath),
                AddBosToken = ReadBool(root, "add_bos_token", sourcePath),
                AddEosToken = ReadBool(root, "add_eos_token", sourcePath),
                TokenizerClass = ReadName(root, "tokenizer_class", sourcePath),
            };
        }
    }

    private static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, null, $"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>A special token is either its text or an AddedToken object <c>{"content": …}</c>.</summary>
    private static string? ReadToken(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            if (value.TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.String)
            {
                return content.GetString();
            }

            throw new CheckpointException(path, name + ".content", "is missing or not a string");
        }

        throw new CheckpointException(path, name, $"is a JSON {JsonFieldReader.Describe(value)}; expected a string or an object with \"content\"");
    }

    private static string? ReadChatTemplate(JsonElement root, string path)
    {
        if (!root.TryGetProperty("chat_template", out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointException(path, "chat_template", $"is a JSON {JsonFieldReader.Describe(value)}; expected a string or a list of named templates");
        }

        int index = 0;
        foreach (JsonElement entry in value.EnumerateArray())
        {
            string field = $"chat_template[{index++}]";
            if (entry.ValueKind != JsonValueKind.Object
                || !entry.TryGetProperty("name", out JsonElement name) || name.ValueKind != JsonValueKind.String
                || !entry.TryGetProperty("template", out JsonElement template) || template.ValueKind != JsonValueKind.String)
            {
                throw new CheckpointException(path, field, "is not an object with string \"name\" and \"template\"");
            }

            if (name.GetString() == "default")
            {
                return template.GetString();
            }
        }

        throw new CheckpointException(path, "chat_template", "lists named templates but none is named 'default'");
    }

    private static long? ReadMaxLength(JsonElement root, string path)
    {
        if (!root.TryGetProperty("model_max_length", out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw new CheckpointException(path, "model_max_length", $"is a JSON {JsonFieldReader.Describe(value)}, not a number");
        }

        if (value.TryGetInt64(out long length))
        {
            return length > 0 ? length : throw new CheckpointException(path, "model_max_length", $"is {length}; it must be positive");
        }

        double real = value.GetDouble();
        if (real >= NoLimitSentinel)
        {
            return null;
        }

        if (real >= 1 && real == Math.Floor(real))
        {
            return (long)real;
        }

        throw new CheckpointException(path, "model_max_length", $"is {value.GetRawText()}, not a positive integer");
    }

    private static string? ReadName(JsonElement root, string name, string path) =>
        !root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null ? null : new JsonFieldReader(path).ReadString(value, name);

    private static bool? ReadBool(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new CheckpointException(path, name, $"is a JSON {JsonFieldReader.Describe(value)}, not a boolean"),
        };
    }
}
