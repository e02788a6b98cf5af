using System.Text;

namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>
/// The ChatML family (Qwen2, Dream): per message <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c>, then
/// the generation prompt <c>&lt;|im_start|&gt;assistant\n</c>. Qwen's templates open with a default system turn when
/// the conversation does not start with a system message.
/// </summary>
/// <param name="bosToken">The text of <c>bos_token</c>, written first, when the template writes it (Qwen's do not).</param>
/// <param name="defaultSystemMessage">
/// The system message written when the first message is not a system one, as the template's text says (Qwen2 and
/// Dream: "You are a helpful assistant."); null when the template has none.
/// </param>
/// <param name="trimContent">Whether the content goes through Jinja's <c>trim</c> (Qwen's templates: no).</param>
internal sealed class ChatMLChatTemplate(string? bosToken, string? defaultSystemMessage, bool trimContent) : IChatTemplate
{
    public const string StartOfTurn = "<|im_start|>";
    public const string EndOfTurn = "<|im_end|>";

    public string Family => ChatTemplateFamilies.ChatML;

    /// <summary>The default system message (for tests and logs).</summary>
    public string? DefaultSystemMessage => defaultSystemMessage;

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, bool continueFinalMessage = false)
    {
        ArgumentNullException.ThrowIfNull(messages);
        TemplateText.RequireOneEnding(addGenerationPrompt, continueFinalMessage);
        var text = new StringBuilder();
        if (messages.Count > 0)
        {
            text.Append(bosToken);
            if (defaultSystemMessage is not null && messages[0].Role != ChatRoles.System)
            {
                AppendTurn(text, ChatRoles.System, defaultSystemMessage);
            }
        }

        for (int i = 0; i < messages.Count; i++)
        {
            AppendTurn(text, messages[i].Role, trimContent ? TemplateText.Strip(messages[i].Content) : messages[i].Content, open: continueFinalMessage && i == messages.Count - 1);
        }

        if (addGenerationPrompt)
        {
            text.Append(StartOfTurn).Append(ChatRoles.Assistant).Append('\n');
        }

        return text.ToString();
    }

    private static void AppendTurn(StringBuilder text, string role, string content, bool open = false)
    {
        text.Append(StartOfTurn).Append(role).Append('\n').Append(content);
        if (!open)
        {
            text.Append(EndOfTurn).Append('\n');
        }
    }
}
