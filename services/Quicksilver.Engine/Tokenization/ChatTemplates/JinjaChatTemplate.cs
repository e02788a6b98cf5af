using Quicksilver.Engine.Tokenization.Jinja;

namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>
/// A model's Jinja chat template, rendered as Hugging Face's <c>apply_chat_template</c> renders it: the variables
/// <c>messages</c> (<c>role</c>, <c>content</c> and, when sent, <c>name</c>, <c>tool_calls</c> and <c>tool_call_id</c>
/// each), <c>add_generation_prompt</c>, the tokenizer's special tokens (<c>bos_token</c>, <c>eos_token</c>…), the
/// <c>tools</c> (none when there are none) and <c>documents</c> as none, and the caller's variables, which may replace
/// any of these but <c>messages</c>, <c>add_generation_prompt</c> and <c>tools</c> (as vLLM's
/// <c>chat_template_kwargs</c> may). A final message to continue is cut where its content ends in the render, as
/// transformers cuts it. A template that writes <c>&lt;tool_call&gt;</c> and reads <c>tools</c> is taken for Hermes'
/// syntax of tool calls (<see cref="ToolCallSyntax.Hermes"/>), as vLLM's <c>hermes</c> parser reads Qwen2.5's.
/// </summary>
public sealed class JinjaChatTemplate : IChatTemplate
{
    private readonly JinjaTemplate _template;
    private readonly IReadOnlyDictionary<string, string> _specialTokens;

    private JinjaChatTemplate(JinjaTemplate template, IReadOnlyDictionary<string, string> specialTokens, ToolCallSyntax toolCalls)
    {
        _template = template;
        _specialTokens = specialTokens;
        ToolCalls = toolCalls;
    }

    /// <inheritdoc/>
    public ToolCallSyntax ToolCalls { get; }

    /// <summary>
    /// Reads <paramref name="source"/> with the special tokens it may write, by variable name (<c>bos_token</c> →
    /// its text). Throws <see cref="JinjaException"/> for a template this engine cannot read.
    /// </summary>
    public static JinjaChatTemplate Parse(string source, IReadOnlyDictionary<string, string> specialTokens, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(specialTokens);
        ArgumentNullException.ThrowIfNull(source);
        ToolCallSyntax toolCalls = IsHermes(source) ? ToolCallSyntax.Hermes : ToolCallSyntax.None;
        return new JinjaChatTemplate(JinjaTemplate.Parse(source, time), specialTokens, toolCalls);
    }

    /// <summary>
    /// Whether the template writes Hermes' calls: <c>&lt;tool_call&gt;</c> around JSON with <c>"arguments"</c>. Qwen3-Coder's
    /// (<c>&lt;function=…&gt;</c>) and GLM-4.5's (<c>&lt;arg_key&gt;</c>) also open calls with <c>&lt;tool_call&gt;</c>, in XML.
    /// </summary>
    private static bool IsHermes(string source) =>
        source.Contains("<tool_call>", StringComparison.Ordinal)
        && source.Contains("tools", StringComparison.Ordinal)
        && source.Contains("arguments", StringComparison.Ordinal)
        && !source.Contains("<function=", StringComparison.Ordinal)
        && !source.Contains("<arg_key>", StringComparison.Ordinal);

    /// <inheritdoc/>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, bool continueFinalMessage = false, IReadOnlyDictionary<string, object?>? variables = null, IReadOnlyList<object?>? tools = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (addGenerationPrompt && continueFinalMessage)
        {
            throw new ArgumentException("A conversation cannot both continue its final message and open the assistant's turn.", nameof(continueFinalMessage));
        }

        var context = new Dictionary<string, object?>(StringComparer.Ordinal) { ["tools"] = null, ["documents"] = null };
        foreach ((string name, string text) in _specialTokens)
        {
            context[name] = text;
        }

        foreach ((string name, object? value) in variables ?? new Dictionary<string, object?>())
        {
            context[name] = value;
        }

        if (tools is { Count: > 0 })
        {
            context["tools"] = tools.ToList();
        }

        context["messages"] = messages.Select(Message).ToList();
        context["add_generation_prompt"] = addGenerationPrompt;
        string rendered;
        try
        {
            rendered = _template.Render(context);
        }
        catch (JinjaException exception)
        {
            throw new ChatTemplateException(exception.Message, exception);
        }

        return continueFinalMessage && messages.Count > 0 ? CutAfterFinalMessage(rendered, messages[^1].Content) : rendered;
    }

    private static IReadOnlyDictionary<string, object?> Message(ChatMessage message)
    {
        var fields = new Dictionary<string, object?> { ["role"] = message.Role, ["content"] = message.Content };
        if (message.Name is not null)
        {
            fields["name"] = message.Name;
        }

        if (message.ToolCalls is { } calls)
        {
            fields["tool_calls"] = calls.Select(ToolCall).ToList();
        }

        if (message.ToolCallId is not null)
        {
            fields["tool_call_id"] = message.ToolCallId;
        }

        return fields;
    }

    private static object? ToolCall(ChatToolCall call) => new Dictionary<string, object?>
    {
        ["id"] = call.Id,
        ["type"] = "function",
        ["function"] = new Dictionary<string, object?> { ["name"] = call.Name, ["arguments"] = call.Arguments },
    };

    /// <summary>
    /// transformers' cut for <c>continue_final_message</c>: after the last place the final message's content appears,
    /// whole when the render kept its leading and trailing whitespace, stripped when the template trimmed it.
    /// </summary>
    private static string CutAfterFinalMessage(string rendered, string content)
    {
        string stripped = PythonText.Strip(content);
        int at = stripped.Length == 0 ? rendered.Length : rendered.LastIndexOf(stripped, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new ChatTemplateException("continue_final_message is set, but the model's chat template does not write the final message's content.");
        }

        int whole = PythonText.StripStart(content).Length;
        bool keptWhole = rendered.AsSpan(at, Math.Min(whole, rendered.Length - at)).SequenceEqual(content);
        return rendered[..(at + (keptWhole ? whole : stripped.Length))];
    }
}
