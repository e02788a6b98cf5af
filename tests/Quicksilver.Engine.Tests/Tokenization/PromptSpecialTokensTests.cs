using System.Text.Json.Nodes;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Engine.Tests.Tokenization;

/// <summary>
/// The special tokens around a completions prompt's text, as Hugging Face's <c>tokenizer(text)</c> puts them: from
/// <c>tokenizer.json</c>'s <c>post_processor</c>, or from <c>add_bos_token</c>/<c>add_eos_token</c> for the tokenizer
/// classes that rebuild it.
/// </summary>
public sealed class PromptSpecialTokensTests
{
    private static readonly HuggingFaceTokenizer Plain = TokenizerFixtures.Load(TokenizerFixtures.Build());
    private static readonly int EndOfText = Plain.TokenToId("<|endoftext|>")!.Value;
    private static readonly int EotId = Plain.TokenToId("<|eot_id|>")!.Value;

    [Fact]
    public void PostProcessor_Null_IsNone()
    {
        Assert.Null(Plain.PostProcessor);
    }

    [Fact]
    public void PostProcessor_Llama3SequenceOfByteLevelAndTemplate_PutsTheTemplatesTokensAroundTheText()
    {
        PromptSpecialTokens tokens = WithPostProcessor(new JsonObject
        {
            ["type"] = "Sequence",
            ["processors"] = new JsonArray(TokenizerFixtures.ByteLevel(useRegex: false), Template(before: "<|endoftext|>", after: "<|eot_id|>")),
        }).PostProcessor!;

        Assert.Equal([EndOfText], tokens.Prefix);
        Assert.Equal([EotId], tokens.Suffix);
    }

    [Fact]
    public void PostProcessor_SequenceOfTwoTemplates_TheSecondWrapsTheFirst()
    {
        PromptSpecialTokens tokens = WithPostProcessor(new JsonObject
        {
            ["type"] = "Sequence",
            ["processors"] = new JsonArray(Template(before: "<|endoftext|>", after: null), Template(before: "<|eot_id|>", after: "<|endoftext|>")),
        }).PostProcessor!;

        Assert.Equal([EotId, EndOfText], tokens.Prefix);
        Assert.Equal([EndOfText], tokens.Suffix);
    }

    [Fact]
    public void PostProcessor_RobertaProcessing_PutsClsBeforeAndSepAfter()
    {
        PromptSpecialTokens tokens = WithPostProcessor(new JsonObject
        {
            ["type"] = "RobertaProcessing",
            ["sep"] = new JsonArray("<|eot_id|>", EotId),
            ["cls"] = new JsonArray("<|endoftext|>", EndOfText),
        }).PostProcessor!;

        Assert.Equal([EndOfText], tokens.Prefix);
        Assert.Equal([EotId], tokens.Suffix);
    }

    public static TheoryData<string, string> BrokenPostProcessors() => new()
    {
        { """{"type": "Whatever"}""", "post_processor.type" },
        { """{"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}], "special_tokens": {"<s>": {"ids": [0]}}}""", "post_processor.single" },
        { """{"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A"}}], "special_tokens": {}}""", "post_processor.special_tokens[\"<s>\"]" },
        { """{"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A"}}], "special_tokens": {"<s>": {"ids": [999999]}}}""", "post_processor.special_tokens[\"<s>\"].ids[0]" },
        { """{"type": "BertProcessing", "cls": ["[CLS]"], "sep": ["[SEP]", 0]}""", "post_processor.cls" },
        { """{"type": "Sequence", "processors": [{"type": "ByteLevel"}, {"type": "Whatever"}]}""", "post_processor.processors[1].type" },
    };

    [Theory]
    [MemberData(nameof(BrokenPostProcessors))]
    public void PostProcessor_UnsupportedOrBroken_ThrowsNamingTheField(string postProcessor, string field)
    {
        CheckpointException error = Assert.Throws<CheckpointException>(() => WithPostProcessor(JsonNode.Parse(postProcessor)!));

        Assert.Equal(field, error.Subject);
    }

    [Theory]
    [InlineData("PreTrainedTokenizerFast")]
    [InlineData("LlamaTokenizerFast")] // the flags built the post-processor the file holds
    public void Resolve_FileWithAPostProcessor_TakesItsTokensWhateverTheFlags(string tokenizerClass)
    {
        var postProcessor = new PromptSpecialTokens([EndOfText], []);
        var config = new TokenizerConfig { TokenizerClass = tokenizerClass, BosToken = "<|eot_id|>", AddBosToken = false, AddEosToken = true };

        Assert.Same(postProcessor, PromptSpecialTokens.Resolve(postProcessor, config, Plain, "tokenizer_config.json"));
    }

    [Fact]
    public void Resolve_GenericClassWithoutAPostProcessor_AddsNothing()
    {
        var config = new TokenizerConfig { TokenizerClass = "PreTrainedTokenizerFast", BosToken = "<|endoftext|>", AddBosToken = true };

        Assert.Same(PromptSpecialTokens.None, PromptSpecialTokens.Resolve(null, config, Plain, "tokenizer_config.json"));
    }

    [Theory]
    [InlineData(null, null, true, false)] // LlamaTokenizerFast's defaults: BOS, no EOS
    [InlineData(false, null, false, false)]
    [InlineData(true, true, true, true)]
    public void Resolve_LlamaTokenizerClassWithoutAPostProcessor_FollowsAddBosAndAddEos(bool? addBos, bool? addEos, bool bos, bool eos)
    {
        var config = new TokenizerConfig
        {
            TokenizerClass = "LlamaTokenizerFast",
            BosToken = "<|endoftext|>",
            EosToken = "<|eot_id|>",
            AddBosToken = addBos,
            AddEosToken = addEos,
        };

        PromptSpecialTokens tokens = PromptSpecialTokens.Resolve(null, config, Plain, "tokenizer_config.json");

        Assert.Equal(bos ? [EndOfText] : [], tokens.Prefix);
        Assert.Equal(eos ? [EotId] : [], tokens.Suffix);
    }

    [Theory]
    [InlineData(null, "bos_token")]
    [InlineData("<|not-a-token|>", "bos_token")]
    public void Resolve_AddBosTokenWithoutAKnownBosToken_ThrowsNamingTheField(string? bosToken, string field)
    {
        var config = new TokenizerConfig { TokenizerClass = "LlamaTokenizerFast", BosToken = bosToken, AddBosToken = true };

        CheckpointException error = Assert.Throws<CheckpointException>(() => PromptSpecialTokens.Resolve(null, config, Plain, "tokenizer_config.json"));

        Assert.Equal(field, error.Subject);
    }

    [Fact]
    public void Resolve_DefaultBosOfAConfigWithoutBosToken_IsDropped()
    {
        var config = new TokenizerConfig { TokenizerClass = "LlamaTokenizerFast" };

        PromptSpecialTokens tokens = PromptSpecialTokens.Resolve(null, config, Plain, "tokenizer_config.json");

        Assert.Empty(tokens.Prefix);
        Assert.Empty(tokens.Suffix);
    }

    private static HuggingFaceTokenizer WithPostProcessor(JsonNode postProcessor)
    {
        JsonObject document = TokenizerFixtures.Build();
        document["post_processor"] = postProcessor;
        return TokenizerFixtures.Load(document);
    }

    private static JsonObject Template(string before, string? after)
    {
        var single = new JsonArray(
            new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = before, ["type_id"] = 0 } },
            new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } });
        var special = new JsonObject { [before] = SpecialToken(before) };
        if (after is not null)
        {
            single.Add(new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = after, ["type_id"] = 0 } });
            special[after] = SpecialToken(after);
        }

        return new JsonObject { ["type"] = "TemplateProcessing", ["single"] = single, ["pair"] = new JsonArray(), ["special_tokens"] = special };
    }

    private static JsonObject SpecialToken(string content) =>
        new() { ["id"] = content, ["ids"] = new JsonArray(Plain.TokenToId(content)!.Value), ["tokens"] = new JsonArray(content) };
}
