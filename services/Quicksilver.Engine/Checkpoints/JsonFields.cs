using System.Text.Json;

namespace Quicksilver.Engine.Checkpoints;

/// <summary>
/// Reads typed fields from the JSON files of a model folder. Every failure is a <see cref="CheckpointException"/>
/// naming the file, the field and the type that was expected. A field whose value is JSON <c>null</c> counts as absent,
/// as Hugging Face configs write <c>null</c> for "use the default".
/// </summary>
internal static class JsonFields
{
    private const int MaxShownChars = 48;

    /// <summary>Reads <paramref name="path"/> and returns its root, which must be a JSON object.</summary>
    public static JsonElement LoadObject(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointException(path, null, "the file does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, null, $"cannot read the file: {e.Message}", e);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException(path, null, $"the file holds {Describe(document.RootElement)}; expected a JSON object");
            }

            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, null, $"not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Finds a field whose value is not JSON null.</summary>
    public static bool TryGet(JsonElement obj, string name, out JsonElement value) =>
        obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>A required integer field.</summary>
    public static int RequiredInt(string path, JsonElement obj, string name) =>
        OptionalInt(path, obj, name) ?? throw new CheckpointException(path, name, "required field is missing (expected an integer)");

    /// <summary>An optional integer field.</summary>
    public static int? OptionalInt(string path, JsonElement obj, string name) =>
        TryGet(obj, name, out JsonElement value) ? AsInt(path, name, value) : null;

    /// <summary>An optional number field (integer or fractional), which must be finite.</summary>
    public static double? OptionalDouble(string path, JsonElement obj, string name)
    {
        if (!TryGet(obj, name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number) || !double.IsFinite(number))
        {
            throw new CheckpointException(path, name, $"expected a number, got {Describe(value)}");
        }

        return number;
    }

    /// <summary>An optional boolean field.</summary>
    public static bool? OptionalBool(string path, JsonElement obj, string name)
    {
        if (!TryGet(obj, name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new CheckpointException(path, name, $"expected a boolean, got {Describe(value)}"),
        };
    }

    /// <summary>An optional string field.</summary>
    public static string? OptionalString(string path, JsonElement obj, string name)
    {
        if (!TryGet(obj, name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new CheckpointException(path, name, $"expected a string, got {Describe(value)}");
    }

    /// <summary>An optional field that holds either one integer or a non-empty array of integers.</summary>
    public static IReadOnlyList<int>? OptionalIntOrList(string path, JsonElement obj, string name)
    {
        if (!TryGet(obj, name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            return [AsInt(path, name, value)];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointException(path, name, $"expected an integer or an array of integers, got {Describe(value)}");
        }

        var items = new List<int>(value.GetArrayLength());
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int number))
            {
                throw new CheckpointException(path, name, $"expected an array of integers, but item {items.Count} is {Describe(item)}");
            }

            items.Add(number);
        }

        return items.Count > 0
            ? items
            : throw new CheckpointException(path, name, "expected an integer or a non-empty array of integers, got an empty array");
    }

    /// <summary>An optional field that holds either one string or an array of strings.</summary>
    public static IReadOnlyList<string>? OptionalStringOrList(string path, JsonElement obj, string name)
    {
        if (!TryGet(obj, name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return [value.GetString()!];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointException(path, name, $"expected an array of strings, got {Describe(value)}");
        }

        var items = new List<string>(value.GetArrayLength());
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw new CheckpointException(path, name, $"expected an array of strings, but item {items.Count} is {Describe(item)}");
            }

            items.Add(item.GetString()!);
        }

        return items;
    }

    /// <summary>Describes a JSON value for an error message: its kind and, briefly, its text.</summary>
    public static string Describe(JsonElement value)
    {
        string kind = value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Null => "null",
            _ => "nothing",
        };
        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return kind;
        }

        string text = value.GetRawText();
        if (text.Length > MaxShownChars)
        {
            text = string.Concat(text.AsSpan(0, MaxShownChars), "…");
        }

        return $"{kind} ({text})";
    }

    private static int AsInt(string path, string name, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number))
        {
            return number;
        }

        string why = value.ValueKind == JsonValueKind.Number ? "a 32-bit integer" : "an integer";
        throw new CheckpointException(path, name, $"expected {why}, got {Describe(value)}");
    }
}
