using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Http;

/// <summary>
/// Checks that every property name and string of a parsed body is Unicode text. The parser lets through bytes that are
/// not UTF-8 and escapes of lone surrogates (<c>"\ud800"</c>); reading such a string later throws, which would make a
/// client's mistake a 500. One pass over the document: raw bytes are validated in place, only escaped text is decoded,
/// and the field's path is built only for the error.
/// </summary>
internal static class JsonUnicodeCheck
{
    /// <summary>Throws <see cref="ApiErrorException"/> (400 naming the field) for the first name or string that is not text.</summary>
    public static void Require(JsonElement root) => Walk(root, []);

    private static void Walk(JsonElement element, List<(JsonProperty? Property, int Index)> path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (!IsText(property))
                    {
                        string parent = Format(path);
                        throw NotText(parent.Length == 0 ? "A field name" : $"A field name in '{parent}'", parent.Length == 0 ? null : parent);
                    }

                    path.Add((property, 0));
                    Walk(property.Value, path);
                    path.RemoveAt(path.Count - 1);
                }

                break;
            case JsonValueKind.Array:
                int index = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    path.Add((null, index++));
                    Walk(item, path);
                    path.RemoveAt(path.Count - 1);
                }

                break;
            case JsonValueKind.String when !IsText(element):
                string field = Format(path);
                throw NotText($"'{field}'", field);
        }
    }

    /// <summary>Text with escapes is decoded (an escape may be a lone surrogate); text without is valid when its bytes are.</summary>
    private static bool IsText(JsonElement text)
    {
        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(text);
        return raw.Contains((byte)'\\') ? Decodes(text, static t => t.GetString()) : Utf8.IsValid(raw);
    }

    private static bool IsText(JsonProperty property)
    {
        ReadOnlySpan<byte> name = JsonMarshal.GetRawUtf8PropertyName(property);
        return name.Contains((byte)'\\') ? Decodes(property, static p => p.Name) : Utf8.IsValid(name);
    }

    private static bool Decodes<T>(T value, Func<T, string?> read)
    {
        try
        {
            _ = read(value);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The path as the API names fields: <c>messages[0].content</c>.</summary>
    private static string Format(List<(JsonProperty? Property, int Index)> path) =>
        string.Concat(path.Select((segment, i) => segment.Property is { } property ? (i == 0 ? property.Name : $".{property.Name}") : $"[{segment.Index}]"));

    private static ApiErrorException NotText(string what, string? param) => ApiErrorException.BadRequest(
        $"{what} is not valid Unicode text: it holds a lone surrogate escape (such as \\ud800) or bytes that are not UTF-8.",
        param);
}
