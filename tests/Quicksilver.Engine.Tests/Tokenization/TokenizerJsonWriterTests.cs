using System.Text.Json;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Engine.Tests.Tokenization;

public sealed class TokenizerJsonWriterTests
{
    private static readonly string[] Specials = ["<|endoftext|>", "<|startoftext|>", "<|mdm_mask|>"];
    private static readonly TrainedBpe Model = BpeTrainer.Train([SyntheticCorpus.Generate(30_000, seed: 9)], mergeCount: 200);

    [Fact]
    public void ToJson_ThenLoad_RoundTripsTextAndSpecialTokens()
    {
        using var file = new TempFile("tokenizer.json", TokenizerJsonWriter.ToJson(Model, Specials));
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.Load(file.Path);
        const string text = "<|startoftext|>the condition über 中文 👍 <|mdm_mask|><|mdm_mask|>\n\n  end<|endoftext|>";

        IReadOnlyList<int> ids = tokenizer.Encode(text);

        Assert.Equal(text, tokenizer.Decode(ids, skipSpecialTokens: false));
        Assert.Equal(Model.Vocabulary.Count + Specials.Length, tokenizer.VocabSize);
        Assert.Equal(Model.Vocabulary.Count, tokenizer.TokenToId("<|endoftext|>"));
        Assert.Equal(Model.Vocabulary.Count + 2, tokenizer.TokenToId("<|mdm_mask|>"));
        Assert.True(tokenizer.IsSpecial(Model.Vocabulary.Count + 1));
        Assert.Equal(Model.Vocabulary.Count + 1, ids[0]);
    }

    [Fact]
    public void ToJson_ThenLoad_EncodesWithTrainedMerges()
    {
        using var file = new TempFile("tokenizer.json", TokenizerJsonWriter.ToJson(Model, Specials));
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.Load(file.Path);

        // The first merge's result is a vocabulary token that its two halves encode to.
        BpeMerge first = Model.Merges[0];
        string text = DecodeSymbols(first.Merged);

        Assert.Equal([256], tokenizer.Encode(text));
    }

    [Fact]
    public void ToJson_Layout_IsHuggingFaceByteLevelBpe()
    {
        using JsonDocument document = JsonDocument.Parse(TokenizerJsonWriter.ToJson(Model, Specials));
        JsonElement root = document.RootElement;

        Assert.Equal("1.0", root.GetProperty("version").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("normalizer").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("post_processor").ValueKind);
        JsonElement pre = root.GetProperty("pre_tokenizer");
        Assert.Equal("ByteLevel", pre.GetProperty("type").GetString());
        Assert.False(pre.GetProperty("add_prefix_space").GetBoolean());
        Assert.True(pre.GetProperty("use_regex").GetBoolean());
        Assert.Equal("ByteLevel", root.GetProperty("decoder").GetProperty("type").GetString());
        JsonElement model = root.GetProperty("model");
        Assert.Equal("BPE", model.GetProperty("type").GetString());

        string[] vocab = [.. model.GetProperty("vocab").EnumerateObject().OrderBy(p => p.Value.GetInt32()).Select(p => p.Name)];
        Assert.Equal(Model.Vocabulary, vocab);
        Assert.Equal(TokenizerFixtures.ByteSymbols(), vocab.Take(256));
        Assert.Equal(Model.Merges.Select(m => $"{m.Left} {m.Right}"), model.GetProperty("merges").EnumerateArray().Select(m => m.GetString()));

        JsonElement[] added = [.. root.GetProperty("added_tokens").EnumerateArray()];
        Assert.Equal(Specials, added.Select(a => a.GetProperty("content").GetString()));
        Assert.Equal(Enumerable.Range(Model.Vocabulary.Count, Specials.Length), added.Select(a => a.GetProperty("id").GetInt32()));
        Assert.All(added, a => Assert.True(a.GetProperty("special").GetBoolean()));
        Assert.All(added, a => Assert.False(a.GetProperty("normalized").GetBoolean()));
    }

    [Fact]
    public void ToJson_SameModel_IsByteIdentical()
    {
        TrainedBpe again = BpeTrainer.Train([SyntheticCorpus.Generate(30_000, seed: 9)], mergeCount: 200);

        Assert.Equal(TokenizerJsonWriter.ToJson(Model, Specials), TokenizerJsonWriter.ToJson(again, Specials));
        Assert.DoesNotContain("\r", TokenizerJsonWriter.ToJson(Model, Specials), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_DuplicateSpecialToken_Throws()
    {
        Assert.Throws<ArgumentException>(() => TokenizerJsonWriter.ToJson(Model, ["<a>", "<a>"]));
    }

    [Fact]
    public void Write_VocabularyWithoutByteSymbols_Throws()
    {
        var broken = Model with { Vocabulary = [.. Model.Vocabulary.Skip(1)] };

        Assert.Throws<ArgumentException>(() => TokenizerJsonWriter.ToJson(broken, Specials));
    }

    private static string DecodeSymbols(string token) =>
        System.Text.Encoding.UTF8.GetString([.. token.Select(c => (byte)ByteLevelAlphabet.ToByte(c))]);
}
