using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>
/// Recognises the family of a model's Jinja chat template from its text and returns a C# renderer of it. There is
/// no Jinja engine: a template of a family this engine does not render is refused when the model loads, rather
/// than rendered wrongly. The families: LLaMA-3 headers (marker <c>&lt;|start_header_id|&gt;</c>; LLaDA) and
/// ChatML (marker <c>&lt;|im_start|&gt;</c>; Dream, Qwen2). Whether the content is trimmed, whether the BOS token
/// is written and ChatML's default system message are read from the template's text.
/// </summary>
public static class ChatTemplateDetector
{
    /// <summary>The <c>tokenizer_config.json</c> field that holds the template.</summary>
    public const string FieldName = "chat_template";

    private const string Supported =
        "Supported families: LLaMA-3 headers ('<|start_header_id|>{role}<|end_header_id|>\\n\\n{content}<|eot_id|>', as LLaDA ships) " +
        "and ChatML ('<|im_start|>{role}\\n{content}<|im_end|>\\n', as Dream and Qwen2 ship).";

    /// <summary>
    /// The renderer of <paramref name="config"/>'s chat template, or null when the model has none (an empty or
    /// missing <c>chat_template</c>): such a model serves completions but not chat. Throws
    /// <see cref="CheckpointException"/> naming <paramref name="sourcePath"/> and <c>chat_template</c> for a
    /// template of another family, one with features the renderers do not reproduce, or one whose special tokens
    /// (or <c>bos_token</c>) <paramref name="tokenizer"/> does not have as single tokens.
    /// </summary>
    public static IChatTemplate? Detect(TokenizerConfig config, ITextTokenizer tokenizer, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tokenizer);
        string? template = config.ChatTemplate;
        if (string.IsNullOrWhiteSpace(template))
        {
            return null;
        }

        bool headers = template.Contains(Llama3ChatTemplate.StartHeader, StringComparison.Ordinal);
        bool chatML = template.Contains(ChatMLChatTemplate.StartOfTurn, StringComparison.Ordinal);
        if (headers == chatML)
        {
            string which = headers ? "has the markers of both families" : "is not a chat template this server can render";
            throw new CheckpointException(sourcePath, FieldName, $"{which}. {Supported}");
        }

        bool trim = TemplateText.TrimFilter().IsMatch(template);
        string? bos = TemplateText.BosToken().IsMatch(template) ? RequireBos(config, tokenizer, sourcePath) : null;
        if (headers)
        {
            Refuse(template, "Cutting Knowledge Date", "writes a date preamble into the system turn (Llama 3.1 and later)", sourcePath);
            RequireTokens(tokenizer, sourcePath, Llama3ChatTemplate.StartHeader, Llama3ChatTemplate.EndHeader, Llama3ChatTemplate.EndOfTurn);
            return new Llama3ChatTemplate(bos, trim);
        }

        Refuse(template, "<think>", "handles reasoning blocks ('<think>', Qwen3 style)", sourcePath);
        RequireTokens(tokenizer, sourcePath, ChatMLChatTemplate.StartOfTurn, ChatMLChatTemplate.EndOfTurn);
        return new ChatMLChatTemplate(bos, DefaultSystemMessage(template), trim);
    }

    private static string? DefaultSystemMessage(string template)
    {
        System.Text.RegularExpressions.Match match = TemplateText.DefaultSystemTurn().Match(template);
        return match.Success ? TemplateText.Unescape(match.Groups["text"].Value) : null;
    }

    private static string RequireBos(TokenizerConfig config, ITextTokenizer tokenizer, string sourcePath)
    {
        string bos = config.BosToken ?? throw new CheckpointException(
            sourcePath, FieldName, "writes bos_token, but the file names no 'bos_token'.");
        RequireTokens(tokenizer, sourcePath, bos);
        return bos;
    }

    private static void Refuse(string template, string marker, string feature, string sourcePath)
    {
        if (template.Contains(marker, StringComparison.Ordinal))
        {
            throw new CheckpointException(
                sourcePath, FieldName, $"{feature}, which this server does not reproduce; it renders the plain form of each family only. {Supported}");
        }
    }

    private static void RequireTokens(ITextTokenizer tokenizer, string sourcePath, params string[] tokens)
    {
        foreach (string token in tokens)
        {
            if (tokenizer.TokenToId(token) is null)
            {
                throw new CheckpointException(
                    sourcePath, FieldName, $"uses '{token}', but the tokenizer has no such token; the prompt would be tokenised as plain text.");
            }
        }
    }
}
