using System.Text;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Engine.Tests.Tokenization;

public sealed class IncrementalDetokenizerTests
{
    // No merges: every byte is its own token, so multi-byte characters always span several tokens.
    private static readonly HuggingFaceTokenizer Bytes = TokenizerFixtures.Load(TokenizerFixtures.Build([]));
    private static readonly HuggingFaceTokenizer Merged = TokenizerFixtures.Load(TokenizerFixtures.Build());

    [Fact]
    public void Append_ThreeByteCharacterOneTokenAtATime_HoldsBackUntilComplete()
    {
        IReadOnlyList<int> ids = Bytes.Encode("a€b");
        Assert.Equal(5, ids.Count);
        var detokenizer = new IncrementalDetokenizer(Bytes);

        string[] pieces = [.. ids.Select(id => detokenizer.Append([id]))];

        Assert.Equal(["a", "", "", "€", "b"], pieces);
        Assert.Equal(string.Empty, detokenizer.Flush());
    }

    [Fact]
    public void Append_EmojiSplitAcrossBlocks_EmitsWholeSurrogatePair()
    {
        IReadOnlyList<int> ids = Bytes.Encode("x😀");
        var detokenizer = new IncrementalDetokenizer(Bytes);

        string first = detokenizer.Append(ids.Take(3));
        string second = detokenizer.Append(ids.Skip(3));

        Assert.Equal("x", first);
        Assert.Equal("😀", second);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(32)]
    public void Append_AnyBlockSize_ConcatenatesToFullTextWithoutReplacementCharacters(int blockSize)
    {
        const string text = "Grüße, 世界! 👨‍👩‍👧 naïve café — done.\n";
        foreach (HuggingFaceTokenizer tokenizer in (HuggingFaceTokenizer[])[Bytes, Merged])
        {
            IReadOnlyList<int> ids = tokenizer.Encode(text);
            var detokenizer = new IncrementalDetokenizer(tokenizer);
            var result = new StringBuilder();

            for (int start = 0; start < ids.Count; start += blockSize)
            {
                string piece = detokenizer.Append(ids.Skip(start).Take(blockSize));
                Assert.DoesNotContain('\uFFFD', piece);
                result.Append(piece);
            }

            result.Append(detokenizer.Flush());
            Assert.Equal(text, result.ToString());
        }
    }

    [Fact]
    public void Flush_IncompleteCharacterAtEnd_ReturnsReplacementCharacter()
    {
        IReadOnlyList<int> ids = Bytes.Encode("ok€");
        var detokenizer = new IncrementalDetokenizer(Bytes);

        string shown = detokenizer.Append(ids.Take(4));
        string rest = detokenizer.Flush();

        Assert.Equal("ok", shown);
        Assert.Equal("\uFFFD", rest);
        Assert.Equal(string.Empty, detokenizer.Flush());
    }

    [Fact]
    public void Append_InvalidByteFollowedByText_EmitsReplacementThenText()
    {
        int continuation = Bytes.TokenToId(TokenizerFixtures.Symbol(0x80))!.Value;
        var detokenizer = new IncrementalDetokenizer(Bytes);

        string held = detokenizer.Append([continuation]);
        string next = detokenizer.Append(Bytes.Encode("a"));

        Assert.Equal(string.Empty, held);
        Assert.Equal("\uFFFDa", next);
    }

    [Fact]
    public void Append_SpecialTokens_SkippedUnlessAsked()
    {
        IReadOnlyList<int> ids = Merged.Encode("the<|eot_id|>");
        var skipping = new IncrementalDetokenizer(Merged);
        var keeping = new IncrementalDetokenizer(Merged, skipSpecialTokens: false);

        Assert.Equal("the", skipping.Append(ids) + skipping.Flush());
        Assert.Equal("the<|eot_id|>", keeping.Append(ids) + keeping.Flush());
    }

    [Fact]
    public void Append_EmptyBlock_ReturnsEmpty()
    {
        var detokenizer = new IncrementalDetokenizer(Merged);

        Assert.Equal(string.Empty, detokenizer.Append([]));
        Assert.Equal(string.Empty, detokenizer.Flush());
    }
}
