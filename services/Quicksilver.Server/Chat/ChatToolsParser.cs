using System.Text.Json;
using Quicksilver.Engine.Tokenization.ChatTemplates;
using Quicksilver.Server.Errors;
using static Quicksilver.Server.Completions.RequestFieldReader;

namespace Quicksilver.Server.Chat;

/// <summary>
/// Reads the tool fields of a chat request: <c>tools</c> (functions, as OpenAI defines them), <c>tool_choice</c>
/// (<c>"auto"</c>, <c>"none"</c>, <c>"required"</c> or a named function, the last two forcing one call),
/// <c>parallel_tool_calls</c>, and the calls an assistant turn of the conversation made. The deprecated
/// <c>functions</c> and <c>function_call</c> are refused, naming their replacements.
/// </summary>
internal static class ChatToolsParser
{
    public const string Tools = "tools";

    public static ChatToolUse ParseToolUse(JsonElement body)
    {
        RefuseDeprecated(body);
        bool parallel = OptionalBoolean(body, "parallel_tool_calls") ?? true;
        (List<object?> tools, List<string> names) = ParseTools(body);
        List<string>? choice = ParseToolChoice(body, names);
        return choice is [] || tools.Count == 0
            ? ChatToolUse.None with { Parallel = parallel }
            : new ChatToolUse(tools, parallel) { Forced = choice };
    }

    /// <summary>
    /// An assistant turn's <c>tool_calls</c> (<c>{"id", "type": "function", "function": {"name", "arguments"}}</c>,
    /// the arguments a string of JSON, read into the object templates expect; as vLLM, an object is taken as it is,
    /// and empty, null or absent arguments as none, <c>{}</c>); null when absent or empty.
    /// </summary>
    public static IReadOnlyList<ChatToolCall>? ParseToolCalls(JsonElement message, string path)
    {
        string field = $"{path}.tool_calls";
        if (TryGetValue(message, "function_call", out _))
        {
            throw ApiErrorException.BadRequest($"'{path}.function_call' is deprecated and not supported: send 'tool_calls'.", $"{path}.function_call");
        }

        if (!TryGetValue(message, "tool_calls", out JsonElement calls))
        {
            return null;
        }

        if (calls.ValueKind != JsonValueKind.Array)
        {
            throw TypeErrorAt(field, "an array of tool calls", calls);
        }

        return calls.GetArrayLength() == 0 ? null : [.. calls.EnumerateArray().Select((call, i) => ParseToolCall(call, $"{field}[{i}]"))];
    }

    private static ChatToolCall ParseToolCall(JsonElement call, string path)
    {
        if (call.ValueKind != JsonValueKind.Object)
        {
            throw TypeErrorAt(path, "a tool call object", call);
        }

        string id = RequiredString(call, "id", path);
        CheckFunctionType(call, path);
        JsonElement function = RequiredObject(call, "function", path);
        string name = RequiredString(function, "name", $"{path}.function");
        return new ChatToolCall(id, name, ParseArguments(function, $"{path}.function.arguments"));
    }

    private static object? ParseArguments(JsonElement function, string field)
    {
        if (!TryGetValue(function, "arguments", out JsonElement arguments) || arguments.ValueKind == JsonValueKind.Null
            || (arguments.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(arguments.GetString())))
        {
            return new Dictionary<string, object?>();
        }

        if (arguments.ValueKind == JsonValueKind.Object)
        {
            return TemplateValues.Of(arguments, field);
        }

        if (arguments.ValueKind != JsonValueKind.String)
        {
            throw TypeErrorAt(field, "a string of JSON", arguments);
        }

        try
        {
            using JsonDocument parsed = JsonDocument.Parse(arguments.GetString()!);
            return TemplateValues.Of(parsed.RootElement, field);
        }
        catch (JsonException exception)
        {
            throw ApiErrorException.BadRequest(
                $"Invalid '{field}': it must be a JSON text (as the model's earlier answer gave it), but {exception.Message}", field);
        }
    }

    /// <summary>The tools as template values, and their names in order.</summary>
    private static (List<object?> Tools, List<string> Names) ParseTools(JsonElement body)
    {
        if (!TryGetValue(body, Tools, out JsonElement tools))
        {
            return ([], []);
        }

        if (tools.ValueKind != JsonValueKind.Array)
        {
            throw TypeError(Tools, "an array of tools", tools);
        }

        var names = new List<string>();
        var offered = new List<object?>();
        int index = 0;
        foreach (JsonElement tool in tools.EnumerateArray())
        {
            string path = $"{Tools}[{index++}]";
            if (tool.ValueKind != JsonValueKind.Object)
            {
                throw TypeErrorAt(path, "a tool object {\"type\": \"function\", \"function\": {…}}", tool);
            }

            CheckFunctionType(tool, path, required: true);
            JsonElement function = RequiredObject(tool, "function", path);
            string name = RequiredString(function, "name", $"{path}.function");
            if (!OpenAiName().IsMatch(name))
            {
                throw ApiErrorException.BadRequest(
                    $"Invalid '{path}.function.name': '{name}' must be 1 to 64 letters, digits, underscores or dashes.", $"{path}.function.name");
            }

            if (names.Contains(name))
            {
                throw ApiErrorException.BadRequest($"Invalid '{path}.function.name': the function '{name}' is given twice.", $"{path}.function.name");
            }

            OptionalStringAt(function, "description", $"{path}.function");
            if (TryGetValue(function, "parameters", out JsonElement parameters) && parameters.ValueKind != JsonValueKind.Object)
            {
                throw TypeErrorAt($"{path}.function.parameters", "a JSON Schema object", parameters);
            }

            if (TryGetValue(function, "strict", out JsonElement strict) && strict.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw TypeErrorAt($"{path}.function.strict", "a boolean", strict);
            }

            // As the caller wrote it: the template writes it for the model (Qwen's with tojson), as transformers does.
            offered.Add(TemplateValues.Of(tool, path));
            names.Add(name);
        }

        return (offered, names);
    }

    /// <summary>
    /// <c>tool_choice</c>: <c>"auto"</c> (the default: null, the model decides), <c>"none"</c> (empty: no tools),
    /// <c>"required"</c> (every offered name: one call of any) or <c>{"type": "function", "function": {"name"}}</c>
    /// (that one name, which must be offered).
    /// </summary>
    private static List<string>? ParseToolChoice(JsonElement body, List<string> names)
    {
        const string param = "tool_choice";
        if (!TryGetValue(body, param, out JsonElement choice))
        {
            return null;
        }

        if (choice.ValueKind == JsonValueKind.Object)
        {
            CheckFunctionType(choice, param, required: true);
            const string path = param + ".function";
            string name = RequiredString(RequiredObject(choice, "function", param), "name", path);
            return names.Contains(name)
                ? [name]
                : throw ApiErrorException.BadRequest($"Invalid '{path}.name': '{name}' is not one of the functions in 'tools'.", $"{path}.name");
        }

        string? value = choice.ValueKind == JsonValueKind.String ? choice.GetString() : null;
        return value switch
        {
            "auto" => null,
            "none" => [],
            "required" when names.Count > 0 => names,
            "required" => throw ApiErrorException.BadRequest("'tool_choice' is 'required', but no 'tools' are given.", param),
            null => throw TypeError(param, "'auto', 'none', 'required' or an object", choice),
            _ => throw ApiErrorException.BadRequest($"Invalid value for 'tool_choice': expected 'auto', 'none' or 'required', but got '{value}' instead.", param),
        };
    }

    private static void RefuseDeprecated(JsonElement body)
    {
        foreach ((string param, string replacement) in new[] { ("functions", "tools"), ("function_call", "tool_choice") })
        {
            if (TryGetValue(body, param, out JsonElement value) && !(value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0)
                && !(param == "function_call" && value.ValueKind == JsonValueKind.String && value.GetString() is "none" or "auto"))
            {
                throw ApiErrorException.BadRequest($"'{param}' is deprecated and not supported: send '{replacement}'.", param);
            }
        }
    }

    private static void CheckFunctionType(JsonElement item, string path, bool required = false)
    {
        string field = $"{path}.type";
        if (!TryGetValue(item, "type", out JsonElement type))
        {
            if (required)
            {
                throw ApiErrorException.BadRequest($"Missing required parameter: '{field}'.", field);
            }

            return;
        }

        if (type.ValueKind != JsonValueKind.String || type.GetString() != "function")
        {
            throw ApiErrorException.BadRequest($"Invalid value for '{field}': expected 'function', but got {type.GetRawText()} instead.", field);
        }
    }
}
