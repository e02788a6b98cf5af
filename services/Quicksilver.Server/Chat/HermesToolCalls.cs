using System.Text.Json;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Chat;

/// <summary>
/// Reads calls of tools in Hermes' syntax (<see cref="Engine.Tokenization.ChatTemplates.ToolCallSyntax.Hermes"/>) out
/// of an answer, as vLLM's <c>hermes</c> parser does: every <c>&lt;tool_call&gt;</c> section (the last may be left
/// open) holds a JSON object with a string <c>name</c> and the <c>arguments</c>, an object (or a string holding one's
/// JSON; null: none); the text before the first section is the answer's content. When a section does not hold such an
/// object, the answer is taken for plain text, whole: OpenAI's arguments are always an object's JSON, which clients
/// parse and send back.
/// </summary>
internal static class HermesToolCalls
{
    /// <summary>What opens a call: the answer's text is held back from it while it is streamed.</summary>
    public const string Open = "<tool_call>";

    private const string Close = "</tool_call>";

    /// <summary>
    /// The calls in <paramref name="text"/> (empty when it makes none) and the content before them (null when only
    /// whitespace precedes them).
    /// </summary>
    public static (string? Content, IReadOnlyList<ToolCallFunction> Calls) Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int first = text.IndexOf(Open, StringComparison.Ordinal);
        if (first < 0)
        {
            return (text, []);
        }

        var calls = new List<ToolCallFunction>();
        for (int at = first; at >= 0;)
        {
            int start = at + Open.Length;
            int end = text.IndexOf(Close, start, StringComparison.Ordinal);
            if (Call(end < 0 ? text[start..] : text[start..end]) is not { } call)
            {
                return (text, []);
            }

            calls.Add(call);
            at = end < 0 ? -1 : text.IndexOf(Open, end + Close.Length, StringComparison.Ordinal);
        }

        string content = text[..first];
        return (string.IsNullOrWhiteSpace(content) ? null : content, calls);
    }

    private static ToolCallFunction? Call(string section)
    {
        try
        {
            using JsonDocument call = JsonDocument.Parse(section);
            JsonElement root = call.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("name", out JsonElement name) || name.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("arguments", out JsonElement arguments))
            {
                return null;
            }

            string? argumentsText = arguments.ValueKind switch
            {
                JsonValueKind.Object => arguments.GetRawText(),
                JsonValueKind.Null => "{}",
                JsonValueKind.String => ObjectJson(arguments.GetString()!),
                _ => null,
            };
            return argumentsText is null ? null : new ToolCallFunction(name.GetString()!, argumentsText);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary><paramref name="text"/> when it is the JSON of an object (a model that wrote its arguments as a string of JSON meant that text), else null.</summary>
    private static string? ObjectJson(string text)
    {
        using JsonDocument parsed = JsonDocument.Parse(text);
        return parsed.RootElement.ValueKind == JsonValueKind.Object ? text : null;
    }
}
