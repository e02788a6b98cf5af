using System.Text.Json;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Chat;

/// <summary>
/// JSON as a chat template reads it: objects as dictionaries (fields in order), arrays as lists, numbers as long or
/// double. A number no double holds (<c>1e400</c>) is a 400 naming <c>param</c>, the field it was read from.
/// </summary>
internal static class TemplateValues
{
    /// <summary>An object's fields; a name given twice keeps its last value, as Python's json reads it.</summary>
    public static Dictionary<string, object?> Fields(JsonElement value, string param)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (JsonProperty property in value.EnumerateObject())
        {
            fields[property.Name] = Of(property.Value, param);
        }

        return fields;
    }

    public static object? Of(JsonElement value, string param) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when value.TryGetInt64(out long integer) => integer,
        JsonValueKind.Number when value.TryGetDouble(out double number) && double.IsFinite(number) => number,
        JsonValueKind.Number => throw ApiErrorException.BadRequest($"Invalid '{param}': the number {value.GetRawText()} is out of range.", param),
        JsonValueKind.Array => value.EnumerateArray().Select(item => Of(item, param)).ToList(),
        JsonValueKind.Object => (IReadOnlyDictionary<string, object?>)Fields(value, param),
        _ => null,
    };
}
