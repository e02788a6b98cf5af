using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Tests.TestModels;
using Quicksilver.Engine.Tests.Tokenization.Jinja;
using Quicksilver.Engine.Tokenization;
using Quicksilver.Engine.Tokenization.ChatTemplates;

namespace Quicksilver.Engine.Tests.Tokenization.ChatTemplates;

/// <summary>
/// The expected strings are what Hugging Face's <c>apply_chat_template</c> renders (Jinja2 sandbox with
/// <c>trim_blocks</c> and <c>lstrip_blocks</c>, <c>add_generation_prompt=True</c>) for the same messages.
/// </summary>
public sealed class ChatTemplateLoaderTests
{
    private const string Source = "/models/m/tokenizer_config.json";

    /// <summary>Qwen2-Instruct's one-line ChatML template, default system message included.</summary>
    private const string Qwen2Template =
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}" +
        "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static readonly SpecialTokenVocabulary ChatMLVocabulary = new("<|endoftext|>", "<|im_start|>", "<|im_end|>");

    private static readonly ChatMessage[] Conversation =
    [
        new(ChatRoles.System, "You are terse."),
        new(ChatRoles.User, "  Hi!\n"),
        new(ChatRoles.Assistant, "Hello.\u001c"),
        new(ChatRoles.User, "Name a metal."),
    ];

    [Fact]
    public void Load_EmbeddedModelTemplate_RendersExactlyWhatTheJinjaTemplateRenders()
    {
        string path = Path.Combine(RepositoryFolders.TinyModel, TokenizerConfigReader.FileName);
        TokenizerConfig config = TokenizerConfigReader.Read(path);
        var tokenizer = HuggingFaceTokenizer.Load(Path.Combine(RepositoryFolders.TinyModel, "tokenizer.json"));

        IChatTemplate template = ChatTemplateLoader.Load(config, tokenizer, path)!;

        Assert.Equal(
            "<|startoftext|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nName a metal.<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\n",
            template.Render(Conversation, addGenerationPrompt: true));
    }

    [Fact]
    public void Load_Llama3TemplateWithoutGenerationPrompt_EndsWithTheLastTurn()
    {
        IChatTemplate template = Llama3(Llama3Template);

        Assert.Equal(
            "<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
            template.Render([new(ChatRoles.User, "Hi")], addGenerationPrompt: false));
    }

    [Fact]
    public void Load_Llama3Template_ContinuingTheFinalMessage_LeavesItOpen()
    {
        IChatTemplate template = Llama3(Llama3Template);

        Assert.Equal(
            "<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello, my",
            template.Render([new(ChatRoles.User, "Hi"), new(ChatRoles.Assistant, "Hello, my ")], addGenerationPrompt: false, continueFinalMessage: true));
        Assert.Throws<ArgumentException>(() => template.Render([new(ChatRoles.User, "Hi")], addGenerationPrompt: true, continueFinalMessage: true));
    }

    [Theory]
    [InlineData("qwen2")]
    [InlineData("dream")]
    public void Load_QwenStyleChatML_ContinuingTheFinalMessage_LeavesItOpen(string family)
    {
        IChatTemplate template = ChatML(QwenStyle(family));

        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello, my ",
            template.Render([new(ChatRoles.User, "Hi"), new(ChatRoles.Assistant, "Hello, my ")], addGenerationPrompt: false, continueFinalMessage: true));
        Assert.Throws<ArgumentException>(() => template.Render([new(ChatRoles.User, "Hi")], addGenerationPrompt: true, continueFinalMessage: true));
    }

    [Fact]
    public void Load_Llama3TemplateWithoutTrimOrBosOrGenerationPrompt_WritesOnlyWhatItSays()
    {
        // A template with no add_generation_prompt branch writes no assistant header, as Jinja2 renders it.
        const string untrimmed = "{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] + '<|eot_id|>' }}{% endfor %}";

        IChatTemplate template = Llama3(untrimmed);

        Assert.Equal(
            "<|start_header_id|>user<|end_header_id|>\n\n Hi \n<|eot_id|>",
            template.Render([new(ChatRoles.User, " Hi \n")], addGenerationPrompt: true));
    }

    [Theory]
    [InlineData("qwen2")]
    [InlineData("dream")]
    public void Load_QwenStyleChatML_NoSystemMessage_WritesTheTemplatesDefault(string family)
    {
        IChatTemplate template = ChatML(QwenStyle(family));

        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n Hi <|im_end|>\n<|im_start|>assistant\n",
            template.Render([new(ChatRoles.User, " Hi ")], addGenerationPrompt: true));
    }

    [Theory]
    [InlineData("qwen2")]
    [InlineData("dream")]
    public void Load_QwenStyleChatML_WithSystemMessage_WritesItInstead(string family)
    {
        IChatTemplate template = ChatML(QwenStyle(family));

        Assert.Equal(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n" +
            "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n",
            template.Render(
                [new(ChatRoles.System, "Be brief."), new(ChatRoles.User, "Hi"), new(ChatRoles.Assistant, "Hello!"), new(ChatRoles.User, "Bye")],
                addGenerationPrompt: true));
    }

    [Fact]
    public void Load_ChatMLWithoutDefaultSystemMessage_WritesNone()
    {
        const string plain = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

        IChatTemplate template = ChatML(plain);

        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", template.Render([new(ChatRoles.User, "Hi")], addGenerationPrompt: true));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  \n")]
    public void Load_NoTemplate_ReturnsNull(string? text) =>
        Assert.Null(ChatTemplateLoader.Load(new TokenizerConfig { ChatTemplate = text }, ChatMLVocabulary, Source));

    [Fact]
    public void Load_TemplateOfAnotherShape_RendersItAsJinja2Does()
    {
        const string mistral = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}" +
            "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}" +
            "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% else %}{{ message['content'] + eos_token }}{% endif %}{% endfor %}";

        IChatTemplate template = ChatTemplateLoader.Load(new TokenizerConfig { ChatTemplate = mistral, BosToken = "<s>", EosToken = "</s>" }, new SpecialTokenVocabulary("<s>", "</s>"), Source)!;

        Assert.Equal("<s>[INST] Hi [/INST]Hello.</s>[INST] Bye [/INST]", template.Render([new(ChatRoles.User, "Hi"), new(ChatRoles.Assistant, "Hello."), new(ChatRoles.User, "Bye")], addGenerationPrompt: true));
        ChatTemplateException refused = Assert.Throws<ChatTemplateException>(() => template.Render([new(ChatRoles.System, "Be brief."), new(ChatRoles.User, "Hi")], addGenerationPrompt: true));
        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", refused.Message);
    }

    [Fact]
    public void Load_ReasoningTemplate_LoadsAndWritesTheEmptyThinkBlockItAsksFor()
    {
        const string qwen3Like = "{%- for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content.split('</think>')[-1].lstrip('\\n') + '<|im_end|>\\n' }}{%- endfor %}" +
            "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- if enable_thinking is defined and enable_thinking is false %}{{ '<think>\\n\\n</think>\\n\\n' }}{%- endif %}{%- endif %}";

        IChatTemplate template = ChatML(qwen3Like);

        Assert.Equal(
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>assistant\n",
            template.Render([new(ChatRoles.User, "Hi"), new(ChatRoles.Assistant, "<think>\nhmm\n</think>\n\nHello.")], addGenerationPrompt: true));
    }

    [Theory]
    [InlineData("{% for m in messages %}{{ m.content | no_such_filter }}{% endfor %}", "no_such_filter")]
    [InlineData("{% for m in messages %}{{ m.content }}", "endfor")]
    [InlineData("{% include 'other.jinja' %}", "include")]
    [InlineData("{% for m in messages %}\n{{ m.content }}\n\n{{ m.role | no_such_filter }}{% endfor %}", "line 4")]
    public void Load_TemplateTheEngineCannotRead_ThrowsNamingTheFileTheFieldAndTheConstruct(string text, string construct)
    {
        var exception = Assert.Throws<CheckpointException>(() =>
            ChatTemplateLoader.Load(new TokenizerConfig { ChatTemplate = text }, ChatMLVocabulary, Source));

        Assert.Equal(Source, exception.FilePath);
        Assert.Equal("chat_template", exception.Subject);
        Assert.StartsWith($"{Source}: 'chat_template': cannot be read", exception.Message, StringComparison.Ordinal);
        Assert.Contains(construct, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TemplateThatRefusesEveryPlainConversation_Throws()
    {
        var exception = Assert.Throws<CheckpointException>(() =>
            ChatTemplateLoader.Load(new TokenizerConfig { ChatTemplate = "{{ raise_exception('only tools') }}" }, ChatMLVocabulary, Source));

        Assert.Contains("fails on a plain user/assistant conversation: only tools", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MarkerTheTokenizerLacks_Throws()
    {
        var exception = Assert.Throws<CheckpointException>(() =>
            ChatTemplateLoader.Load(new TokenizerConfig { ChatTemplate = "{% for m in messages %}<|start_header_id|>{{ m.content }}<|im_end|>{% endfor %}" }, ChatMLVocabulary, Source));

        Assert.Contains("'<|start_header_id|>'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TokenizerWithoutTheTemplatesSpecialTokens_Throws()
    {
        var exception = Assert.Throws<CheckpointException>(() =>
            ChatTemplateLoader.Load(new TokenizerConfig { ChatTemplate = Qwen2Template }, new SpecialTokenVocabulary("<|im_start|>"), Source));

        Assert.Equal("chat_template", exception.Subject);
        Assert.Contains("'<|im_end|>'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TemplateAddsBosButConfigNamesNone_FailsTheProbeAsTransformersWould()
    {
        // bos_token is undefined, and Jinja2 refuses to add an undefined value to a string.
        var exception = Assert.Throws<CheckpointException>(() =>
            ChatTemplateLoader.Load(new TokenizerConfig { ChatTemplate = Llama3Template }, Llama3Vocabulary, Source));

        Assert.Equal("chat_template", exception.Subject);
        Assert.Contains("fails on a plain user/assistant conversation", exception.Message, StringComparison.Ordinal);
        Assert.Contains("undefined", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TemplateFromJinjaFile_ErrorsNameThatFile()
    {
        const string sidecar = "/models/m/chat_template.jinja";

        var exception = Assert.Throws<CheckpointException>(() =>
            ChatTemplateLoader.Load(new TokenizerConfig { ChatTemplate = "{{ messages | no_such_filter }}", ChatTemplatePath = sidecar }, ChatMLVocabulary, Source));

        Assert.Equal(sidecar, exception.FilePath);
    }

    [Theory]
    [InlineData("{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{% for m in messages %}{% if m.content == 'boom' %}{{ r(0) }}{% endif %}{{ m.content }}{% endfor %}")]
    [InlineData("{% macro esc(s) %}{% if s %}{{ s[0] }}{{ esc(s[1:]) }}{% endif %}{% endmacro %}{% for m in messages %}{{ esc(m.content) }}{% endfor %}")]
    public void Render_RecursionPastTheLimit_FailsTheRenderNotTheProcess(string text)
    {
        IChatTemplate template = ChatTemplateLoader.Load(new TokenizerConfig { ChatTemplate = text }, ChatMLVocabulary, Source)!;

        Assert.Throws<ChatTemplateException>(() => template.Render([new(ChatRoles.User, "boom"), new(ChatRoles.Assistant, new string('a', 10_000))], addGenerationPrompt: true));
    }

    [Fact]
    public void Load_NestingPastTheLimit_ThrowsInsteadOfOverflowingTheStack()
    {
        string deep = "{{ " + new string('(', 20_000) + "1" + new string(')', 20_000) + " }}{% for m in messages %}{{ m.content }}{% endfor %}";

        var exception = Assert.Throws<CheckpointException>(() => ChatTemplateLoader.Load(new TokenizerConfig { ChatTemplate = deep }, ChatMLVocabulary, Source));

        Assert.Contains("nests", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>Meta-Llama-3-Instruct's template, as the embedded model ships it.</summary>
    private static string Llama3Template { get; } =
        TokenizerConfigReader.Read(Path.Combine(RepositoryFolders.TinyModel, TokenizerConfigReader.FileName)).ChatTemplate!;

    private static SpecialTokenVocabulary Llama3Vocabulary { get; } =
        new("<|startoftext|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>");

    private static IChatTemplate Llama3(string text) =>
        ChatTemplateLoader.Load(new TokenizerConfig { ChatTemplate = text, BosToken = "<|startoftext|>" }, Llama3Vocabulary, Source)!;

    /// <summary>A Qwen-style ChatML template by family: Qwen2's, or Dream's (<see cref="JinjaTemplates.Dream"/>, read from a file).</summary>
    private static string QwenStyle(string family) => family == "dream" ? JinjaTemplates.Dream : Qwen2Template;

    private static IChatTemplate ChatML(string text) =>
        ChatTemplateLoader.Load(new TokenizerConfig { ChatTemplate = text, BosToken = null }, ChatMLVocabulary, Source)!;
}
