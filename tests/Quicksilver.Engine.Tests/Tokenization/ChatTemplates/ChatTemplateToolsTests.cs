using System.Text.Json.Nodes;
using Quicksilver.Engine.Tests.Tokenization.Jinja;
using Quicksilver.Engine.Tokenization.ChatTemplates;

namespace Quicksilver.Engine.Tests.Tokenization.ChatTemplates;

/// <summary>
/// Tools and tool turns reach a chat template in Hugging Face's shapes: <c>tools</c> as given, an assistant turn's
/// <c>tool_calls</c> as <c>{"id", "type", "function": {"name", "arguments": {…}}}</c>, a tool turn's
/// <c>tool_call_id</c>; and which templates are taken to write Hermes' tool calls.
/// </summary>
public sealed class ChatTemplateToolsTests
{
    private static readonly IReadOnlyDictionary<string, object?> Weather = new Dictionary<string, object?>
    {
        ["type"] = "function",
        ["function"] = new Dictionary<string, object?>
        {
            ["name"] = "get_weather",
            ["description"] = "Weather in a city",
            ["parameters"] = new Dictionary<string, object?> { ["type"] = "object", ["properties"] = new Dictionary<string, object?> { ["city"] = new Dictionary<string, object?> { ["type"] = "string" } } },
        },
    };

    private static readonly ChatMessage[] Conversation =
    [
        new(ChatRoles.User, "Weather in Paris and Rome?"),
        new(ChatRoles.Assistant, "Checking.", ToolCalls:
        [
            new ChatToolCall("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris", ["days"] = 3L }),
            new ChatToolCall("call_2", "get_weather", new Dictionary<string, object?> { ["city"] = "Rome", ["units"] = new List<object?> { "C", null, true } }),
        ]),
        new(ChatRoles.Tool, "{\"temp\": 20}", ToolCallId: "call_1"),
        new(ChatRoles.Tool, "{\"temp\": 25}", ToolCallId: "call_2"),
        new(ChatRoles.User, "Thanks, and tomorrow?"),
    ];

    [Fact]
    public void Render_ToolsAndToolTurns_WritesThemInTheTemplatesSyntax()
    {
        JinjaChatTemplate template = JinjaChatTemplate.Parse(JinjaTemplates.Dream, new Dictionary<string, string>());

        string rendered = template.Render(Conversation, addGenerationPrompt: true, tools: [Weather]);

        Assert.StartsWith(
            "<|im_start|>system\nYou are a helpful assistant.\n\n# Tools\n\n<tools>\n" +
            "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather in a city\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}}}\n</tools><|im_end|>\n",
            rendered,
            StringComparison.Ordinal);
        Assert.Contains(
            "<|im_start|>assistant\nChecking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 3}}\n</tool_call>" +
            "\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\", \"units\": [\"C\", null, true]}}\n</tool_call><|im_end|>\n" +
            "<|im_start|>user\n<tool_response>\n{\"temp\": 20}\n</tool_response>\n<tool_response>\n{\"temp\": 25}\n</tool_response><|im_end|>\n",
            rendered,
            StringComparison.Ordinal);
        Assert.EndsWith("<|im_start|>user\nThanks, and tomorrow?<|im_end|>\n<|im_start|>assistant\n", rendered, StringComparison.Ordinal);
    }

    [JinjaReferenceFact]
    public void Render_ToolsAndToolTurns_AsTransformersRendersTheSameConversation()
    {
        JinjaChatTemplate template = JinjaChatTemplate.Parse(JinjaTemplates.Dream, new Dictionary<string, string>());
        var variables = new JsonObject
        {
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "Weather in Paris and Rome?" },
                new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = "Checking.",
                    ["tool_calls"] = new JsonArray(
                        new JsonObject { ["id"] = "call_1", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = new JsonObject { ["city"] = "Paris", ["days"] = 3 } } },
                        new JsonObject { ["id"] = "call_2", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = new JsonObject { ["city"] = "Rome", ["units"] = new JsonArray("C", null, true) } } }),
                },
                new JsonObject { ["role"] = "tool", ["content"] = "{\"temp\": 20}", ["tool_call_id"] = "call_1" },
                new JsonObject { ["role"] = "tool", ["content"] = "{\"temp\": 25}", ["tool_call_id"] = "call_2" },
                new JsonObject { ["role"] = "user", ["content"] = "Thanks, and tomorrow?" }),
            ["add_generation_prompt"] = true,
            ["tools"] = JsonNode.Parse("""[{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]"""),
        };

        string? expected = JinjaReference.Render([(JinjaTemplates.Dream, variables)], DateTimeOffset.UnixEpoch)[0];

        Assert.Equal(expected, template.Render(Conversation, addGenerationPrompt: true, tools: [Weather]));
    }

    [Fact]
    public void Render_NoTools_TemplateSeesNone()
    {
        JinjaChatTemplate template = JinjaChatTemplate.Parse(JinjaTemplates.Dream, new Dictionary<string, string>());

        string rendered = template.Render([new(ChatRoles.User, "Hi")], addGenerationPrompt: true, tools: []);

        Assert.Equal("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", rendered);
    }

    [Theory]
    [InlineData("dream", ToolCallSyntax.Hermes)]
    [InlineData("llada", ToolCallSyntax.None)]
    [InlineData("llama31", ToolCallSyntax.None)]
    public void ToolCalls_OfTheFamiliesTemplates(string family, ToolCallSyntax expected)
    {
        // Llama 3.1's reads tools but writes its calls as bare JSON, a syntax no parser here reads.
        string source = family switch
        {
            "dream" => JinjaTemplates.Dream,
            "llada" => JinjaTemplates.Llada,
            _ => JinjaTemplates.Llama31,
        };

        Assert.Equal(expected, JinjaChatTemplate.Parse(source, new Dictionary<string, string>()).ToolCalls);
    }

    [Theory]
    [InlineData("<function=")] // Qwen3-Coder: <tool_call>\n<function=name>\n<parameter=…>
    [InlineData("<arg_key>")] // GLM-4.5: <tool_call>name\n<arg_key>…</arg_key><arg_value>…</arg_value>
    public void ToolCalls_XmlCallsInsideToolCall_NotHermes(string xml)
    {
        string source = "{% if tools %}{% for t in tools %}{{ t | tojson }}{% endfor %}{% endif %}" +
            "{% for m in messages %}{% for c in m.tool_calls or [] %}<tool_call>" + xml + "{{ c.function.name }}>{{ c.function.arguments }}</tool_call>{% endfor %}{{ m.content }}{% endfor %}";

        Assert.Equal(ToolCallSyntax.None, JinjaChatTemplate.Parse(source, new Dictionary<string, string>()).ToolCalls);
        Assert.Equal(ToolCallSyntax.Hermes, JinjaChatTemplate.Parse(source.Replace(xml, string.Empty, StringComparison.Ordinal), new Dictionary<string, string>()).ToolCalls);
    }
}
