using System.Text.Json.Nodes;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Engine.Tests.Tokenization;

public sealed class HuggingFaceTokenizerTests
{
    private static readonly HuggingFaceTokenizer Default = TokenizerFixtures.Load(TokenizerFixtures.Build());

    public static TheoryData<string> UnicodeTexts() =>
    [
        "The quick brown fox",
        "café naïve Ångström façade Œuvre",
        "漢字かなカナ한국어 中文测试",
        "emoji 👍🏽 family 👨‍👩‍👧 flag 🇫🇷 😀",
        "a  \t  b\n\n\n  c   ",
        "   leading and trailing   ",
        "line one\r\nline two\n\tindented\n",
        "control \u0001\u0007\u001b chars and DEL \u007f and NBSP \u00a0 soft\u00adhyphen",
        "مرحبا بالعالم עברית",
        "e\u0301 combining + ẞ ß ﬁ ligature",
        "numbers 12345 3.14159 -42 1e-5",
        "code: if (x != y) { return a[i] * 2; } // done",
        "",
        " ",
        "\n",
    ];

    [Theory]
    [MemberData(nameof(UnicodeTexts))]
    public void Encode_ArbitraryText_RoundTripsThroughDecode(string text)
    {
        IReadOnlyList<int> ids = Default.Encode(text);

        Assert.Equal(text, Default.Decode(ids));
    }

    [Theory]
    [MemberData(nameof(UnicodeTexts))]
    public void Encode_SplitPatternTokenizer_RoundTripsThroughDecode(string text)
    {
        HuggingFaceTokenizer tokenizer = TokenizerFixtures.Load(
            TokenizerFixtures.Build(preTokenizer: TokenizerFixtures.SplitThenByteLevel(TokenizerFixtures.Llama3Pattern)));

        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void Encode_StringMerges_AppliesMergesByRank()
    {
        int t = Default.TokenToId("t")!.Value;

        IReadOnlyList<int> ids = Default.Encode("the the");

        Assert.Equal([t, Id("he"), Id("Ġthe")], ids);
    }

    [Fact]
    public void Encode_ArrayMerges_MatchesStringMerges()
    {
        HuggingFaceTokenizer arrays = TokenizerFixtures.Load(TokenizerFixtures.Build(arrayMerges: true));
        const string text = "the thin 12345 in the inn";

        Assert.Equal(Default.Encode(text), arrays.Encode(text));
    }

    [Fact]
    public void Encode_ByteLevelRegex_UsesGpt2Pattern()
    {
        // GPT-2's pattern keeps "12345" whole, so rank order decides: 1 2 → 12, 3 4 → 34, and 5 stays alone.
        IReadOnlyList<int> ids = Default.Encode("12345");

        Assert.Equal([Id("12"), Id("34"), Id("5")], ids);
    }

    [Fact]
    public void Encode_SequenceWithSplit_UsesSplitPattern()
    {
        // LLaMA-3's pattern cuts digits into groups of three first: "123" "45".
        HuggingFaceTokenizer tokenizer = TokenizerFixtures.Load(
            TokenizerFixtures.Build(preTokenizer: TokenizerFixtures.SplitThenByteLevel(TokenizerFixtures.Llama3Pattern)));

        IReadOnlyList<int> ids = tokenizer.Encode("12345");

        Assert.Equal([Id("123"), Id("45")], ids);
    }

    [Fact]
    public void Encode_SpecialTokensInText_BecomeSingleIds()
    {
        int eos = Default.TokenToId("<|endoftext|>")!.Value;
        int eot = Default.TokenToId("<|eot_id|>")!.Value;
        int extra = Default.TokenToId("<extra>")!.Value;

        IReadOnlyList<int> ids = Default.Encode("<|eot_id|>the<extra><|endoftext|>");

        Assert.Equal([eot, Id("t"), Id("he"), extra, eos], ids);
    }

    [Fact]
    public void Encode_PartialSpecialToken_IsOrdinaryText()
    {
        IReadOnlyList<int> ids = Default.Encode("<|eot_id");

        Assert.DoesNotContain(Default.TokenToId("<|eot_id|>")!.Value, ids);
        Assert.Equal("<|eot_id", Default.Decode(ids));
    }

    [Fact]
    public void Decode_SkipSpecialTokens_DropsOnlySpecialTokens()
    {
        IReadOnlyList<int> ids = Default.Encode("<|eot_id|>the<extra> in<|endoftext|>");

        Assert.Equal("the<extra> in", Default.Decode(ids));
        Assert.Equal("<|eot_id|>the<extra> in<|endoftext|>", Default.Decode(ids, skipSpecialTokens: false));
    }

    [Fact]
    public void Decode_SkippedSpecialInsideCharacter_JoinsTheBytes()
    {
        int eos = Default.TokenToId("<|endoftext|>")!.Value;
        int[] euro = [.. "€"u8.ToArray().Select(b => Default.TokenToId(TokenizerFixtures.Symbol(b))!.Value)];

        string text = Default.Decode([euro[0], euro[1], eos, euro[2]]);

        Assert.Equal("€", text);
    }

    [Fact]
    public void Decode_UnknownId_IsSkipped()
    {
        Assert.Equal("the", Default.Decode([.. Default.Encode("the"), 1_000_000]));
    }

    [Fact]
    public void TokenToId_ByteLevelFormAndAddedTokens_AreFound()
    {
        Assert.Equal(0, Default.TokenToId("!"));
        Assert.Equal(220, Default.TokenToId("Ġ"));
        Assert.Equal(198, Default.TokenToId("Ċ"));
        Assert.Equal(256 + 2, Default.TokenToId("Ġthe"));
        Assert.NotNull(Default.TokenToId("<|eot_id|>"));
        Assert.Null(Default.TokenToId(" the"));
        Assert.Null(Default.TokenToId("<|missing|>"));
    }

    [Fact]
    public void IsSpecial_AddedTokens_FollowsSpecialFlag()
    {
        Assert.True(Default.IsSpecial(Default.TokenToId("<|endoftext|>")!.Value));
        Assert.True(Default.IsSpecial(Default.TokenToId("<|eot_id|>")!.Value));
        Assert.False(Default.IsSpecial(Default.TokenToId("<extra>")!.Value));
        Assert.False(Default.IsSpecial(Id("Ġthe")));
    }

    [Fact]
    public void VocabSize_CountsBaseVocabularyAndAddedTokens()
    {
        // 256 bytes + 9 merges + 3 added tokens.
        Assert.Equal(256 + 9 + 3, Default.VocabSize);
    }

    [Fact]
    public void Encode_AddPrefixSpace_PrependsSpaceToEachSegment()
    {
        HuggingFaceTokenizer tokenizer = TokenizerFixtures.Load(
            TokenizerFixtures.Build(preTokenizer: TokenizerFixtures.ByteLevel(useRegex: true, addPrefixSpace: true)));

        IReadOnlyList<int> ids = tokenizer.Encode("the");

        Assert.Equal([Id("Ġthe")], ids);
    }

    [Fact]
    public void Encode_NfcNormalizer_LoadsAndRoundTripsComposedText()
    {
        // Composition itself needs ICU, which InvariantGlobalization leaves out; composed (NFC) text is unaffected.
        JsonObject document = TokenizerFixtures.Build();
        document["normalizer"] = new JsonObject { ["type"] = "Sequence", ["normalizers"] = new JsonArray(new JsonObject { ["type"] = "NFC" }) };
        HuggingFaceTokenizer tokenizer = TokenizerFixtures.Load(document);

        Assert.Equal("café Ångström", tokenizer.Decode(tokenizer.Encode("café Ångström")));
    }

    [Fact]
    public void Load_UnsupportedNormalizer_ThrowsNamingField()
    {
        JsonObject document = TokenizerFixtures.Build();
        document["normalizer"] = new JsonObject { ["type"] = "Lowercase" };

        AssertRejected(document, "normalizer.type");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Encode_IgnoreMerges_TakesWholeWordsFromVocabulary(bool ignoreMerges)
    {
        // No merge reaches "Ġthe"; only ignore_merges finds it, by looking the whole piece up.
        JsonObject document = TokenizerFixtures.Build([["Ġ", "t"], ["h", "e"]]);
        document["model"]!["vocab"]!["Ġthe"] = 400;
        document["model"]!["ignore_merges"] = ignoreMerges;
        HuggingFaceTokenizer tokenizer = TokenizerFixtures.Load(document);

        int[] expected = ignoreMerges ? [400] : [256, 257];

        IReadOnlyList<int> ids = tokenizer.Encode(" the");

        Assert.Equal(expected, ids);
    }

    [Fact]
    public void Encode_LeftStripToken_AbsorbsPrecedingSpace()
    {
        JsonObject document = TokenizerFixtures.Build();
        document["added_tokens"]!.AsArray().Add(TokenizerFixtures.AddedToken(500, "<mask>", special: true, lstrip: true));
        HuggingFaceTokenizer tokenizer = TokenizerFixtures.Load(document);

        IReadOnlyList<int> ids = tokenizer.Encode("in <mask>");

        Assert.Equal([Id("in"), 500], ids);
    }

    [Fact]
    public void Load_LegacyGpt2Layout_Loads()
    {
        // GPT-2's file: no model type, empty affixes, <|endoftext|> in the vocabulary and in added_tokens.
        JsonObject document = TokenizerFixtures.Build();
        JsonObject model = document["model"]!.AsObject();
        model.Remove("type");
        model["continuing_subword_prefix"] = "";
        model["end_of_word_suffix"] = "";
        model["vocab"]!["<|endoftext|>"] = 256 + 9;
        document["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true };

        HuggingFaceTokenizer tokenizer = TokenizerFixtures.Load(document);

        Assert.Equal([256 + 9], tokenizer.Encode("<|endoftext|>"));
        Assert.Equal("the the", tokenizer.Decode(tokenizer.Encode("the the")));
    }

    public static TheoryData<string, string?> BrokenDocuments() => new()
    {
        { """{"model":{"type":"WordPiece","vocab":{"a":0}}}""", "model.type" },
        { """{"model":{"type":"Unigram","vocab":[["a",0.0]]}}""", "model.type" },
        { """{"model":{"vocab":[["a",0.0]]}}""", "model.type" },
        { """{"model":{"type":"BPE","merges":[]}}""", "model.vocab" },
        { """{"model":{"type":"BPE","vocab":[],"merges":[]}}""", "model.vocab" },
        { """{"model":{"type":"BPE","vocab":{"a":-1},"merges":[]}}""", "model.vocab[\"a\"]" },
        { """{"model":{"type":"BPE","vocab":{"a":0,"b":0},"merges":[]}}""", "model.vocab[\"b\"]" },
        { """[1,2,3]""", null },
        { """{"model": {"type": "BPE", """, null },
    };

    [Theory]
    [MemberData(nameof(BrokenDocuments))]
    public void Load_UnsupportedOrMalformed_ThrowsNamingField(string json, string? field)
    {
        using var file = new TempFile("tokenizer.json", json);

        CheckpointException error = Assert.Throws<CheckpointException>(() => HuggingFaceTokenizer.Load(file.Path));

        Assert.Equal(file.Path, error.FilePath);
        Assert.Equal(field, error.Subject);
        Assert.Contains(file.Path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MergeOfUnknownToken_ThrowsNamingMerge()
    {
        JsonObject document = TokenizerFixtures.Build();
        document["model"]!["merges"]!.AsArray().Add("Ġthe zzz");

        AssertRejected(document, "model.merges[9]");
    }

    [Fact]
    public void Load_MergeWhoseResultIsMissing_ThrowsNamingMerge()
    {
        JsonObject document = TokenizerFixtures.Build();
        document["model"]!["merges"]!.AsArray().Add("a b");

        AssertRejected(document, "model.merges[9]");
    }

    [Fact]
    public void Load_MalformedMergeString_ThrowsNamingMerge()
    {
        JsonObject document = TokenizerFixtures.Build();
        document["model"]!["merges"]![1] = "h e x";

        AssertRejected(document, "model.merges[1]");
    }

    [Fact]
    public void Load_MissingByteSymbol_ThrowsNamingVocabulary()
    {
        JsonObject document = TokenizerFixtures.Build();
        document["model"]!["vocab"]!.AsObject().Remove("Ā");

        AssertRejected(document, "model.vocab");
    }

    [Fact]
    public void Load_MetaspacePreTokenizer_ThrowsNamingPreTokenizer()
    {
        JsonObject document = TokenizerFixtures.Build(preTokenizer: new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁" });

        AssertRejected(document, "pre_tokenizer.type");
    }

    [Fact]
    public void Load_SplitWithoutByteLevel_ThrowsNamingPreTokenizer()
    {
        JsonObject document = TokenizerFixtures.Build(preTokenizer: TokenizerFixtures.SplitThenByteLevel(@"\s+"));
        document["pre_tokenizer"]!["pretokenizers"]!.AsArray().RemoveAt(1);

        AssertRejected(document, "pre_tokenizer");
    }

    [Fact]
    public void Load_UnsupportedSplitBehaviour_ThrowsNamingField()
    {
        JsonObject document = TokenizerFixtures.Build(preTokenizer: TokenizerFixtures.SplitThenByteLevel(@"\s+"));
        document["pre_tokenizer"]!["pretokenizers"]![0]!["behavior"] = "MergedWithPrevious";

        AssertRejected(document, "pre_tokenizer.pretokenizers[0].behavior");
    }

    [Fact]
    public void Load_InvalidSplitRegex_ThrowsNamingPattern()
    {
        JsonObject document = TokenizerFixtures.Build(preTokenizer: TokenizerFixtures.SplitThenByteLevel(@"(\p{L}+"));

        AssertRejected(document, "pre_tokenizer.pretokenizers[0].pattern.Regex");
    }

    [Fact]
    public void Load_WordPieceDecoder_ThrowsNamingDecoder()
    {
        JsonObject document = TokenizerFixtures.Build();
        document["decoder"] = new JsonObject { ["type"] = "WordPiece", ["prefix"] = "##" };

        AssertRejected(document, "decoder.type");
    }

    [Fact]
    public void Load_AddedTokenWithoutContent_ThrowsNamingField()
    {
        JsonObject document = TokenizerFixtures.Build();
        document["added_tokens"]![1]!.AsObject().Remove("content");

        AssertRejected(document, "added_tokens[1].content");
    }

    [Fact]
    public void Load_MissingFile_ThrowsCheckpointException()
    {
        string path = Path.Combine(Path.GetTempPath(), "qs-missing-" + Guid.NewGuid().ToString("N"), "tokenizer.json");

        CheckpointException error = Assert.Throws<CheckpointException>(() => HuggingFaceTokenizer.Load(path));

        Assert.Equal(path, error.FilePath);
    }

    private static void AssertRejected(JsonObject document, string field)
    {
        using var file = new TempFile("tokenizer.json", document.ToJsonString());

        CheckpointException error = Assert.Throws<CheckpointException>(() => HuggingFaceTokenizer.Load(file.Path));

        Assert.Equal(field, error.Subject);
        Assert.Equal(file.Path, error.FilePath);
    }

    private static int Id(string token) => Default.TokenToId(token) ?? throw new InvalidOperationException($"'{token}' is not in the fixture.");
}
