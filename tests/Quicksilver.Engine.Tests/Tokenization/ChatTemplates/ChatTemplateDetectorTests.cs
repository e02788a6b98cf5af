using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Tests.TestModels;
using Quicksilver.Engine.Tokenization;
using Quicksilver.Engine.Tokenization.ChatTemplates;

namespace Quicksilver.Engine.Tests.Tokenization.ChatTemplates;

/// <summary>
/// The expected strings are what Hugging Face's <c>apply_chat_template</c> renders (Jinja2 sandbox with
/// <c>trim_blocks</c> and <c>lstrip_blocks</c>, <c>add_generation_prompt=True</c>) for the same messages.
/// </summary>
public sealed class ChatTemplateDetectorTests
{
    private const string Source = "/models/m/tokenizer_config.json";

    /// <summary>Qwen2-Instruct's one-line ChatML template, default system message included.</summary>
    private const string Qwen2Template =
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}" +
        "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /// <summary>A multi-line ChatML template in the Qwen2.5 / Dream layout: a tools branch, then the default system turn.</summary>
    private const string DreamStyleTemplate = """
        {%- if tools %}
            {{- '<|im_start|>system\n' }}
            {%- if messages[0]['role'] == 'system' %}
                {{- messages[0]['content'] }}
            {%- else %}
                {{- 'You are a helpful assistant.' }}
            {%- endif %}
            {{- '<|im_end|>\n' }}
        {%- else %}
            {%- if messages[0]['role'] == 'system' %}
                {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
            {%- else %}
                {{- '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}
            {%- endif %}
        {%- endif %}
        {%- for message in messages %}
            {%- if message.role == "user" or (message.role == "system" and not loop.first) or message.role == "assistant" %}
                {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
            {%- endif %}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<|im_start|>assistant\n' }}
        {%- endif %}
        """;

    private static readonly SpecialTokenVocabulary ChatMLVocabulary = new("<|endoftext|>", "<|im_start|>", "<|im_end|>");

    private static readonly ChatMessage[] Conversation =
    [
        new(ChatRoles.System, "You are terse."),
        new(ChatRoles.User, "  Hi!\n"),
        new(ChatRoles.Assistant, "Hello.\u001c"),
        new(ChatRoles.User, "Name a metal."),
    ];

    [Fact]
    public void Detect_EmbeddedModelTemplate_RendersExactlyWhatTheJinjaTemplateRenders()
    {
        string path = Path.Combine(RepositoryFolders.TinyModel, TokenizerConfigReader.FileName);
        TokenizerConfig config = TokenizerConfigReader.Read(path);
        var tokenizer = HuggingFaceTokenizer.Load(Path.Combine(RepositoryFolders.TinyModel, "tokenizer.json"));

        IChatTemplate template = ChatTemplateDetector.Detect(config, tokenizer, path)!;

        Assert.Equal(ChatTemplateFamilies.Llama3, template.Family);
        Assert.Equal(
            "<|startoftext|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nName a metal.<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\n",
            template.Render(Conversation, addGenerationPrompt: true));
    }

    [Fact]
    public void Detect_Llama3TemplateWithoutGenerationPrompt_EndsWithTheLastTurn()
    {
        IChatTemplate template = Llama3(Llama3Template);

        Assert.Equal(
            "<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
            template.Render([new(ChatRoles.User, "Hi")], addGenerationPrompt: false));
    }

    [Fact]
    public void Detect_Llama3Template_ContinuingTheFinalMessage_LeavesItOpen()
    {
        IChatTemplate template = Llama3(Llama3Template);

        Assert.Equal(
            "<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello, my",
            template.Render([new(ChatRoles.User, "Hi"), new(ChatRoles.Assistant, "Hello, my ")], addGenerationPrompt: false, continueFinalMessage: true));
        Assert.Throws<ArgumentException>(() => template.Render([new(ChatRoles.User, "Hi")], addGenerationPrompt: true, continueFinalMessage: true));
    }

    [Theory]
    [InlineData(Qwen2Template)]
    [InlineData(DreamStyleTemplate)]
    public void Detect_QwenStyleChatML_ContinuingTheFinalMessage_LeavesItOpen(string text)
    {
        IChatTemplate template = ChatML(text);

        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello, my ",
            template.Render([new(ChatRoles.User, "Hi"), new(ChatRoles.Assistant, "Hello, my ")], addGenerationPrompt: false, continueFinalMessage: true));
        Assert.Throws<ArgumentException>(() => template.Render([new(ChatRoles.User, "Hi")], addGenerationPrompt: true, continueFinalMessage: true));
    }

    [Fact]
    public void Detect_Llama3TemplateWithoutTrimOrBos_KeepsContentAsIs()
    {
        const string untrimmed = "{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] + '<|eot_id|>' }}{% endfor %}";

        IChatTemplate template = Llama3(untrimmed);

        Assert.Equal(
            "<|start_header_id|>user<|end_header_id|>\n\n Hi \n<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            template.Render([new(ChatRoles.User, " Hi \n")], addGenerationPrompt: true));
    }

    [Theory]
    [InlineData(Qwen2Template)]
    [InlineData(DreamStyleTemplate)]
    public void Detect_QwenStyleChatML_NoSystemMessage_WritesTheTemplatesDefault(string text)
    {
        IChatTemplate template = ChatML(text);

        Assert.Equal(ChatTemplateFamilies.ChatML, template.Family);
        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n Hi <|im_end|>\n<|im_start|>assistant\n",
            template.Render([new(ChatRoles.User, " Hi ")], addGenerationPrompt: true));
    }

    [Theory]
    [InlineData(Qwen2Template)]
    [InlineData(DreamStyleTemplate)]
    public void Detect_QwenStyleChatML_WithSystemMessage_WritesItInstead(string text)
    {
        IChatTemplate template = ChatML(text);

        Assert.Equal(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n" +
            "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n",
            template.Render(
                [new(ChatRoles.System, "Be brief."), new(ChatRoles.User, "Hi"), new(ChatRoles.Assistant, "Hello!"), new(ChatRoles.User, "Bye")],
                addGenerationPrompt: true));
    }

    [Fact]
    public void Detect_ChatMLWithoutDefaultSystemMessage_WritesNone()
    {
        const string plain = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

        IChatTemplate template = ChatML(plain);

        Assert.Null(Assert.IsType<ChatMLChatTemplate>(template).DefaultSystemMessage);
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", template.Render([new(ChatRoles.User, "Hi")], addGenerationPrompt: true));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  \n")]
    public void Detect_NoTemplate_ReturnsNull(string? text) =>
        Assert.Null(ChatTemplateDetector.Detect(new TokenizerConfig { ChatTemplate = text }, ChatMLVocabulary, Source));

    [Theory]
    [InlineData("{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + eos_token }}{% endfor %}")]
    [InlineData("{{ bos_token }}{% for message in messages %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% endfor %}")]
    [InlineData("{% for m in messages %}<|start_header_id|><|im_start|>{% endfor %}")]
    public void Detect_OtherFamily_ThrowsNamingTheFileTheFieldAndTheSupportedFamilies(string text)
    {
        var exception = Assert.Throws<CheckpointException>(() =>
            ChatTemplateDetector.Detect(new TokenizerConfig { ChatTemplate = text, BosToken = "<s>" }, ChatMLVocabulary, Source));

        Assert.Equal(Source, exception.FilePath);
        Assert.Equal("chat_template", exception.Subject);
        Assert.StartsWith($"{Source}: 'chat_template': ", exception.Message, StringComparison.Ordinal);
        Assert.Contains("LLaMA-3 headers", exception.Message, StringComparison.Ordinal);
        Assert.Contains("ChatML", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{- bos_token }}{{- '<|start_header_id|>system<|end_header_id|>\\n\\n' }}{{- 'Cutting Knowledge Date: December 2023\\n' }}", "date preamble")]
    [InlineData("{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content.split('</think>')[-1] + '<|im_end|>\\n' }}{% endfor %}{{ '<think>\\n' }}", "reasoning")]
    public void Detect_FeatureTheRenderersDoNotReproduce_Throws(string text, string feature)
    {
        var vocabulary = new SpecialTokenVocabulary("<|startoftext|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|im_start|>", "<|im_end|>");

        var exception = Assert.Throws<CheckpointException>(() =>
            ChatTemplateDetector.Detect(new TokenizerConfig { ChatTemplate = text, BosToken = "<|startoftext|>" }, vocabulary, Source));

        Assert.Equal("chat_template", exception.Subject);
        Assert.Contains(feature, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_TokenizerWithoutTheTemplatesSpecialTokens_Throws()
    {
        var exception = Assert.Throws<CheckpointException>(() =>
            ChatTemplateDetector.Detect(new TokenizerConfig { ChatTemplate = Qwen2Template }, new SpecialTokenVocabulary("<|im_start|>"), Source));

        Assert.Equal("chat_template", exception.Subject);
        Assert.Contains("'<|im_end|>'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_TemplateWritesBosButConfigNamesNone_Throws()
    {
        var exception = Assert.Throws<CheckpointException>(() =>
            ChatTemplateDetector.Detect(new TokenizerConfig { ChatTemplate = Llama3Template }, Llama3Vocabulary, Source));

        Assert.Equal("chat_template", exception.Subject);
        Assert.Contains("bos_token", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>Meta-Llama-3-Instruct's template, as the embedded model ships it.</summary>
    private static string Llama3Template { get; } =
        TokenizerConfigReader.Read(Path.Combine(RepositoryFolders.TinyModel, TokenizerConfigReader.FileName)).ChatTemplate!;

    private static SpecialTokenVocabulary Llama3Vocabulary { get; } =
        new("<|startoftext|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>");

    private static IChatTemplate Llama3(string text) =>
        ChatTemplateDetector.Detect(new TokenizerConfig { ChatTemplate = text, BosToken = "<|startoftext|>" }, Llama3Vocabulary, Source)!;

    private static IChatTemplate ChatML(string text) =>
        ChatTemplateDetector.Detect(new TokenizerConfig { ChatTemplate = text, BosToken = null }, ChatMLVocabulary, Source)!;
}
