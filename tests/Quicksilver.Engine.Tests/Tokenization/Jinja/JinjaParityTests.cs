using System.Text.Json.Nodes;
using Quicksilver.Engine.Tokenization.Jinja;

namespace Quicksilver.Engine.Tests.Tokenization.Jinja;

/// <summary>
/// Every template of <see cref="JinjaTemplates"/> over every conversation renders exactly as Python's Jinja2 renders it
/// in Hugging Face's environment (<see cref="JinjaReference"/>), or fails where Jinja2 fails.
/// </summary>
public sealed class JinjaParityTests
{
    public static TheoryData<string> TemplateNames() => [.. Templates.Keys];

    private static readonly Dictionary<string, string> Templates = new(StringComparer.Ordinal)
    {
        ["llada"] = JinjaTemplates.Llada,
        ["dream"] = JinjaTemplates.Dream,
        ["qwen3"] = JinjaTemplates.Qwen3,
        ["llama31"] = JinjaTemplates.Llama31,
        ["llama32"] = JinjaTemplates.Llama32,
        ["mistral"] = JinjaTemplates.Mistral,
        ["line-endings"] = JinjaTemplates.LineEndings,
        ["layout"] = JinjaTemplates.Layout,
        ["expressions"] = JinjaTemplates.Expressions,
        ["statements"] = JinjaTemplates.Statements,
    };

    [JinjaReferenceTheory]
    [MemberData(nameof(TemplateNames))]
    public void Render_EveryConversation_AsJinja2RendersIt(string name)
    {
        JinjaTemplate template = JinjaTemplate.Parse(Templates[name], new FixedClock(Now));
        List<(string, JsonObject)> cases = [.. Conversations().Select(variables => (Templates[name], variables))];

        List<string?> expected = JinjaReference.Render(cases, Now);

        for (int i = 0; i < cases.Count; i++)
        {
            string? actual;
            string? error = null;
            try
            {
                actual = template.Render(Variables(cases[i].Item2));
            }
            catch (JinjaException exception)
            {
                actual = null;
                error = exception.Message;
            }

            Assert.True(expected[i] == actual, $"conversation {i}: {cases[i].Item2.ToJsonString()}\nJinja2: {Show(expected[i])}\nours:   {Show(actual)} {error}");
        }
    }

    /// <summary>The time <c>strftime_now</c> formats on both sides (the reference reads it from each case).</summary>
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);

    private static string Show(string? text) => text is null ? "(error)" : System.Text.Json.JsonSerializer.Serialize(text);

    /// <summary>Conversations with and without a system message, a prefill, reasoning, tools and tool calls, odd whitespace and non-ASCII text.</summary>
    private static IEnumerable<JsonObject> Conversations()
    {
        JsonObject Message(string role, string content) => new() { ["role"] = role, ["content"] = content };
        JsonObject Variables(bool generationPrompt, params JsonObject[] messages) => new()
        {
            ["messages"] = new JsonArray([.. messages]),
            ["add_generation_prompt"] = generationPrompt,
            ["bos_token"] = "<s>",
            ["eos_token"] = "</s>",
            ["tools"] = null,
        };

        yield return Variables(true, Message("user", "Hello!"));
        yield return Variables(true, Message("system", "  Be brief.\n"), Message("user", " What is 2+2? "), Message("assistant", "4"), Message("user", "And 3+3?"));
        yield return Variables(false, Message("user", "Continue: once upon"), Message("assistant", "a time"));
        yield return Variables(true, Message("user", "Ünïcödé ✓ — 日本語 \"quotes\" 'single' \\ back"), Message("assistant", "<think>\nhmm\n</think>\n\nAnswer."), Message("user", "again"));
        yield return Variables(true, Message("user", "q"), Message("assistant", "<think>reasoning</think>final"));
        yield return Variables(true, Message("assistant", "starts with the assistant"));
        yield return Variables(true, Message("user", "<tool_response>r</tool_response>"), Message("tool", "result"), Message("tool", "second"));
        JsonObject withTools = Variables(true, Message("system", "sys"), Message("user", "call it"));
        withTools["tools"] = new JsonArray(new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather", ["parameters"] = new JsonObject { ["city"] = "string", ["days"] = 3 } } });
        yield return withTools;
        JsonObject toolCall = Message("assistant", string.Empty);
        toolCall["tool_calls"] = new JsonArray(new JsonObject { ["function"] = new JsonObject { ["name"] = "f", ["arguments"] = new JsonObject { ["x"] = 1.5, ["y"] = new JsonArray("a", null, true) } } });
        yield return Variables(true, Message("user", "use a tool"), toolCall);
        JsonObject thinkingOff = Variables(true, Message("user", "no thinking"));
        thinkingOff["enable_thinking"] = false;
        yield return thinkingOff;
        JsonObject builtin = Variables(true, Message("system", "sys"), Message("user", "search"));
        builtin["builtin_tools"] = new JsonArray("brave_search", "code_interpreter", "wolfram_alpha");
        yield return builtin;
        JsonObject dated = Variables(true, Message("user", "date?"));
        dated["date_string"] = "01 Dec 2026";
        yield return dated;
    }

    /// <summary>A case's variables as the engine takes them: JSON values as .NET strings, longs, doubles, booleans, lists and dictionaries.</summary>
    private static Dictionary<string, object?> Variables(JsonObject variables) =>
        variables.ToDictionary(entry => entry.Key, entry => DotNet(entry.Value), StringComparer.Ordinal);

    private static object? DotNet(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => (IReadOnlyDictionary<string, object?>)o.ToDictionary(entry => entry.Key, entry => DotNet(entry.Value), StringComparer.Ordinal),
        JsonArray a => a.Select(DotNet).ToList(),
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonValue v when v.TryGetValue(out bool b) => b,
        JsonValue v when v.TryGetValue(out long l) => l,
        JsonValue v when v.TryGetValue(out int i) => (long)i,
        JsonValue v => v.GetValue<double>(),
        _ => throw new ArgumentException($"unexpected JSON node {node}", nameof(node)),
    };
}
