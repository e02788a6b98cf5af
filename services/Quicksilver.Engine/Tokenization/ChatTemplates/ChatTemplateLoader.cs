using System.Text.RegularExpressions;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Tokenization.Jinja;

namespace Quicksilver.Engine.Tokenization.ChatTemplates;

/// <summary>
/// Loads a model's Jinja chat template (<see cref="JinjaChatTemplate"/>) and checks it when the model loads, so that a
/// template this server cannot render stops the pod with a reason instead of failing users' requests: it must parse, it
/// must render a plain conversation, and the special tokens and <c>&lt;|…|&gt;</c> markers it writes must be single
/// tokens of the tokenizer. A special token the config does not name is undefined, as in transformers.
/// </summary>
public static partial class ChatTemplateLoader
{
    /// <summary>The <c>tokenizer_config.json</c> field that holds the template.</summary>
    public const string FieldName = "chat_template";

    private static readonly ChatMessage[][] ProbeConversations =
    [
        [new(ChatRoles.System, "You are terse."), new(ChatRoles.User, "Hi!"), new(ChatRoles.Assistant, "Hello."), new(ChatRoles.User, "Name a metal.")],
        [new(ChatRoles.User, "Hi!"), new(ChatRoles.Assistant, "Hello."), new(ChatRoles.User, "Name a metal.")],
    ];

    /// <summary>
    /// The chat template of <paramref name="config"/>, or null when the model has none (an empty or missing
    /// <c>chat_template</c>): such a model serves completions but not chat. Throws <see cref="CheckpointException"/>
    /// naming the file the template came from (<see cref="TokenizerConfig.ChatTemplatePath"/>, else
    /// <paramref name="sourcePath"/>) and <c>chat_template</c> when the template fails a check.
    /// </summary>
    public static IChatTemplate? Load(TokenizerConfig config, ITextTokenizer tokenizer, string sourcePath, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tokenizer);
        string? source = config.ChatTemplate;
        if (string.IsNullOrWhiteSpace(source))
        {
            return null;
        }

        sourcePath = config.ChatTemplatePath ?? sourcePath;
        Dictionary<string, string> specialTokens = SpecialTokens(config);
        JinjaChatTemplate template;
        try
        {
            template = JinjaChatTemplate.Parse(source, specialTokens, time);
        }
        catch (JinjaException exception)
        {
            throw new CheckpointException(sourcePath, FieldName, $"cannot be read by this server's chat template engine: {exception.Message}");
        }

        string probe = Probe(template, sourcePath);
        foreach (string marker in Markers().Matches(probe).Select(m => m.Value).Concat(specialTokens.Values.Where(token => token.Length > 0 && probe.Contains(token, StringComparison.Ordinal))).Distinct())
        {
            if (tokenizer.TokenToId(marker) is null)
            {
                throw new CheckpointException(
                    sourcePath, FieldName, $"uses '{marker}', but the tokenizer has no such token; the prompt would be tokenised as plain text.");
            }
        }

        return template;
    }

    private static Dictionary<string, string> SpecialTokens(TokenizerConfig config)
    {
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string name, string? text) in new[] { ("bos_token", config.BosToken), ("eos_token", config.EosToken), ("pad_token", config.PadToken), ("mask_token", config.MaskToken) })
        {
            if (text is not null)
            {
                tokens[name] = text;
            }
        }

        return tokens;
    }

    /// <summary>The render of the first plain conversation the template accepts (templates may refuse a system turn).</summary>
    private static string Probe(JinjaChatTemplate template, string sourcePath)
    {
        ChatTemplateException? refusal = null;
        foreach (ChatMessage[] conversation in ProbeConversations)
        {
            try
            {
                return template.Render(conversation, addGenerationPrompt: true);
            }
            catch (ChatTemplateException exception)
            {
                refusal ??= exception;
            }
        }

        throw new CheckpointException(sourcePath, FieldName, $"fails on a plain user/assistant conversation: {refusal!.Message}");
    }

    /// <summary>Special-token markers in the <c>&lt;|name|&gt;</c> form (Llama 3, ChatML, LLaDA).</summary>
    [GeneratedRegex(@"<\|[^<>|\s]+\|>", RegexOptions.CultureInvariant)]
    private static partial Regex Markers();
}
