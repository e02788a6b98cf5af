using System.Text.Json;

namespace Quicksilver.Server.Chat;

/// <summary>JSON as a chat template reads it: objects as dictionaries (fields in order), arrays as lists, numbers as long or double.</summary>
internal static class TemplateValues
{
    /// <summary>An object's fields; a name given twice keeps its last value, as Python's json reads it.</summary>
    public static Dictionary<string, object?> Fields(JsonElement value)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (JsonProperty property in value.EnumerateObject())
        {
            fields[property.Name] = Of(property.Value);
        }

        return fields;
    }

    public static object? Of(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when value.TryGetInt64(out long integer) => integer,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.Array => value.EnumerateArray().Select(Of).ToList(),
        JsonValueKind.Object => (IReadOnlyDictionary<string, object?>)Fields(value),
        _ => null,
    };
}
