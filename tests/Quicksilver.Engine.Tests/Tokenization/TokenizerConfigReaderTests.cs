using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Engine.Tests.Tokenization;

public sealed class TokenizerConfigReaderTests
{
    [Fact]
    public void Parse_StringTokens_ReadsEveryField()
    {
        const string json = """
            {
              "bos_token": "<|startoftext|>",
              "eos_token": "<|endoftext|>",
              "pad_token": "<|endoftext|>",
              "mask_token": "<|mdm_mask|>",
              "chat_template": "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}",
              "model_max_length": 1024,
              "add_bos_token": false,
              "add_eos_token": true,
              "tokenizer_class": "PreTrainedTokenizerFast"
            }
            """;

        TokenizerConfig config = TokenizerConfigReader.Parse(json, "tokenizer_config.json");

        Assert.Equal(new TokenizerConfig
        {
            BosToken = "<|startoftext|>",
            EosToken = "<|endoftext|>",
            PadToken = "<|endoftext|>",
            MaskToken = "<|mdm_mask|>",
            ChatTemplate = "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}",
            ModelMaxLength = 1024,
            AddBosToken = false,
            AddEosToken = true,
            TokenizerClass = "PreTrainedTokenizerFast",
        }, config);
    }

    [Fact]
    public void Parse_AddedTokenObjects_TakesContent()
    {
        const string json = """
            {
              "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false, "normalized": true, "rstrip": false, "single_word": false},
              "eos_token": {"content": "</s>"},
              "pad_token": null
            }
            """;

        TokenizerConfig config = TokenizerConfigReader.Parse(json, "tokenizer_config.json");

        Assert.Equal("<s>", config.BosToken);
        Assert.Equal("</s>", config.EosToken);
        Assert.Null(config.PadToken);
        Assert.Null(config.MaskToken);
        Assert.Null(config.ChatTemplate);
        Assert.Null(config.ModelMaxLength);
        Assert.Null(config.AddBosToken);
    }

    [Fact]
    public void Parse_NamedTemplateList_TakesDefault()
    {
        const string json = """
            {"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}]}
            """;

        Assert.Equal("D", TokenizerConfigReader.Parse(json, "tokenizer_config.json").ChatTemplate);
    }

    [Theory]
    [InlineData("1000000000000000019884624838656")]
    [InlineData("1e30")]
    public void Parse_NoLimitSentinel_MaxLengthIsNull(string value)
    {
        TokenizerConfig config = TokenizerConfigReader.Parse($$"""{"model_max_length": {{value}}}""", "tokenizer_config.json");

        Assert.Null(config.ModelMaxLength);
    }

    [Fact]
    public void Parse_IntegralFloatMaxLength_IsRead()
    {
        Assert.Equal(2048, TokenizerConfigReader.Parse("""{"model_max_length": 2048.0}""", "t.json").ModelMaxLength);
    }

    [Theory]
    [InlineData("""{"bos_token": 5}""", "bos_token")]
    [InlineData("""{"eos_token": {"text": "</s>"}}""", "eos_token.content")]
    [InlineData("""{"mask_token": ["<mask>"]}""", "mask_token")]
    [InlineData("""{"chat_template": 3}""", "chat_template")]
    [InlineData("""{"chat_template": [{"name": "tool_use", "template": "T"}]}""", "chat_template")]
    [InlineData("""{"chat_template": [{"name": "default"}]}""", "chat_template[0]")]
    [InlineData("""{"model_max_length": "long"}""", "model_max_length")]
    [InlineData("""{"model_max_length": -1}""", "model_max_length")]
    [InlineData("""{"model_max_length": 10.5}""", "model_max_length")]
    [InlineData("""{"add_bos_token": "yes"}""", "add_bos_token")]
    [InlineData("""{"add_eos_token": 1}""", "add_eos_token")]
    [InlineData("""{"tokenizer_class": 1}""", "tokenizer_class")]
    [InlineData("""{"bos_token": """, null)]
    [InlineData("""[]""", null)]
    public void Parse_MalformedField_ThrowsNamingField(string json, string? field)
    {
        CheckpointException error = Assert.Throws<CheckpointException>(() => TokenizerConfigReader.Parse(json, "dir/tokenizer_config.json"));

        Assert.Equal(field, error.Subject);
        Assert.Equal("dir/tokenizer_config.json", error.FilePath);
    }

    [Fact]
    public void Read_TemplateInJinjaFile_WinsOverTheConfigsAsInTransformers()
    {
        using var file = new TempFile(TokenizerConfigReader.FileName, """{"chat_template": "JSON{{ messages }}"}""");
        string sidecar = Path.Combine(file.Directory, TokenizerConfigReader.ChatTemplateFileName);
        File.WriteAllText(sidecar, "SIDECAR{{ messages }}");

        TokenizerConfig config = TokenizerConfigReader.Read(file.Path);

        Assert.Equal("SIDECAR{{ messages }}", config.ChatTemplate);
        Assert.Equal(sidecar, config.ChatTemplatePath);
    }

    [Fact]
    public void Read_TemplateInJinjaFile_IsUsedWhenConfigHasNone()
    {
        using var file = new TempFile(TokenizerConfigReader.FileName, """{"eos_token": "<|eot_id|>"}""");
        File.WriteAllText(Path.Combine(file.Directory, TokenizerConfigReader.ChatTemplateFileName), "{{ messages }}");

        TokenizerConfig config = TokenizerConfigReader.Read(file.Path);

        Assert.Equal("{{ messages }}", config.ChatTemplate);
        Assert.Equal("<|eot_id|>", config.EosToken);
    }

    [Fact]
    public void Read_MissingFile_ThrowsCheckpointException()
    {
        string path = Path.Combine(Path.GetTempPath(), "qs-missing-" + Guid.NewGuid().ToString("N"), TokenizerConfigReader.FileName);

        CheckpointException error = Assert.Throws<CheckpointException>(() => TokenizerConfigReader.Read(path));

        Assert.Equal(path, error.FilePath);
    }
}
