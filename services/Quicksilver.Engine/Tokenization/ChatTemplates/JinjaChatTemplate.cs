using Quicksilver.Engine.Tokenization.Jinja;

namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>
/// A model's Jinja chat template, rendered as Hugging Face's <c>apply_chat_template</c> renders it: the variables
/// <c>messages</c> (<c>role</c> and <c>content</c> each), <c>add_generation_prompt</c>, the tokenizer's special tokens
/// (<c>bos_token</c>, <c>eos_token</c>…), and <c>tools</c> and <c>documents</c> as none. A final message to continue is
/// cut where its content ends in the render, as transformers cuts it.
/// </summary>
public sealed class JinjaChatTemplate : IChatTemplate
{
    private readonly JinjaTemplate _template;
    private readonly IReadOnlyDictionary<string, string> _specialTokens;

    private JinjaChatTemplate(JinjaTemplate template, IReadOnlyDictionary<string, string> specialTokens)
    {
        _template = template;
        _specialTokens = specialTokens;
    }

    /// <summary>
    /// Reads <paramref name="source"/> with the special tokens it may write, by variable name (<c>bos_token</c> →
    /// its text). Throws <see cref="JinjaException"/> for a template this engine cannot read.
    /// </summary>
    public static JinjaChatTemplate Parse(string source, IReadOnlyDictionary<string, string> specialTokens, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(specialTokens);
        return new JinjaChatTemplate(JinjaTemplate.Parse(source, time), specialTokens);
    }

    /// <inheritdoc/>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, bool continueFinalMessage = false)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (addGenerationPrompt && continueFinalMessage)
        {
            throw new ArgumentException("A conversation cannot both continue its final message and open the assistant's turn.", nameof(continueFinalMessage));
        }

        var variables = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["messages"] = messages.Select(m => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content }).ToList(),
            ["add_generation_prompt"] = addGenerationPrompt,
            ["tools"] = null,
            ["documents"] = null,
        };
        foreach ((string name, string text) in _specialTokens)
        {
            variables[name] = text;
        }

        string rendered;
        try
        {
            rendered = _template.Render(variables);
        }
        catch (JinjaException exception)
        {
            throw new ChatTemplateException(
                exception.RaisedByTemplate ? exception.Message : $"The model's chat template failed on this conversation: {exception.Message}", exception);
        }

        return continueFinalMessage && messages.Count > 0 ? CutAfterFinalMessage(rendered, messages[^1].Content) : rendered;
    }

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
