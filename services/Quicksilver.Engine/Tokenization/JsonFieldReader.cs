using System.Text.Json;
using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Tokenization;

/// <summary>Typed accessors for one JSON file that throw <see cref="CheckpointException"/> naming the file and the field at fault.</summary>
internal sealed class JsonFieldReader(string path)
{
    /// <summary>The file being read.</summary>
    public string Path { get; } = path;

    /// <summary>The JSON kind in words, for messages (<c>string</c>, <c>array</c>…).</summary>
    public static string Describe(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();

    public JsonElement Require(JsonElement parent, string name, string field) =>
        parent.TryGetProperty(name, out JsonElement value) ? value : throw new CheckpointException(Path, field, "is missing");

    public JsonElement RequireObject(JsonElement parent, string name, string field)
    {
        JsonElement value = Require(parent, name, field);
        return value.ValueKind == JsonValueKind.Object
            ? value
            : throw new CheckpointException(Path, field, $"is a JSON {Describe(value)}, not an object");
    }

    public string ReadString(JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new CheckpointException(Path, field, $"is a JSON {Describe(value)}, not a string");

    public bool ReadBool(JsonElement value, string field) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new CheckpointException(Path, field, $"is a JSON {Describe(value)}, not a boolean"),
    };

    /// <summary>A token id: a non-negative 32-bit integer.</summary>
    public int ReadId(JsonElement value, string field)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int id) && id >= 0)
        {
            return id;
        }

        string shown = value.ValueKind == JsonValueKind.Number ? value.GetRawText() : "a JSON " + Describe(value);
        throw new CheckpointException(Path, field, $"is {shown}, not a token id (a non-negative 32-bit integer)");
    }
}
