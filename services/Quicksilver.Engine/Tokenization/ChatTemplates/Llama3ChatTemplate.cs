using System.Text;

namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>
/// The LLaMA-3 header family (Meta-Llama-3-Instruct's template, which LLaDA-8B-Instruct ships): the BOS token, then
/// per message <c>&lt;|start_header_id|&gt;{role}&lt;|end_header_id|&gt;\n\n{content}&lt;|eot_id|&gt;</c>, then the
/// generation prompt <c>&lt;|start_header_id|&gt;assistant&lt;|end_header_id|&gt;\n\n</c>.
/// </summary>
/// <param name="bosToken">
/// The text of <c>bos_token</c>, written before the first message (Meta's template prepends it to the first
/// message's text); null when the template does not write one.
/// </param>
/// <param name="trimContent">Whether the content goes through Jinja's <c>trim</c> (Meta's template: yes).</param>
internal sealed class Llama3ChatTemplate(string? bosToken, bool trimContent) : IChatTemplate
{
    public const string StartHeader = "<|start_header_id|>";
    public const string EndHeader = "<|end_header_id|>";
    public const string EndOfTurn = "<|eot_id|>";

    public string Family => ChatTemplateFamilies.Llama3;

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, bool continueFinalMessage = false)
    {
        ArgumentNullException.ThrowIfNull(messages);
        TemplateText.RequireOneEnding(addGenerationPrompt, continueFinalMessage);
        var text = new StringBuilder();
        if (messages.Count > 0)
        {
            text.Append(bosToken);
        }

        for (int i = 0; i < messages.Count; i++)
        {
            AppendHeader(text, messages[i].Role);
            text.Append(trimContent ? TemplateText.Strip(messages[i].Content) : messages[i].Content);
            if (!continueFinalMessage || i < messages.Count - 1)
            {
                text.Append(EndOfTurn);
            }
        }

        if (addGenerationPrompt)
        {
            AppendHeader(text, ChatRoles.Assistant);
        }

        return text.ToString();
    }

    private static void AppendHeader(StringBuilder text, string role) =>
        text.Append(StartHeader).Append(role).Append(EndHeader).Append("\n\n");
}
