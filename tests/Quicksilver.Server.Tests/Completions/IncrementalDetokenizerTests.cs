using Quicksilver.Server.Completions;
using Quicksilver.Server.Tests.Fakes;

namespace Quicksilver.Server.Completions.Tests;

public sealed class IncrementalDetokenizerTests
{
    private static readonly FakeTokenizer Tokenizer = new();

    [Fact]
    public void Append_CharacterSplitAcrossBlocks_HeldBackUntilComplete()
    {
        IReadOnlyList<int> euro = Tokenizer.Encode("a€b"); // a, E2, 82, AC, b
        var detokenizer = new IncrementalDetokenizer(Tokenizer);

        Assert.Equal("a", detokenizer.Append([euro[0], euro[1]]));
        Assert.Equal(string.Empty, detokenizer.Append([euro[2]]));
        Assert.Equal("€b", detokenizer.Append([euro[3], euro[4]]));
        Assert.Equal(string.Empty, detokenizer.Flush());
    }

    [Fact]
    public void Flush_IncompleteCharacterAtTheEnd_ReleasesTheReplacementCharacter()
    {
        IReadOnlyList<int> euro = Tokenizer.Encode("a€");
        var detokenizer = new IncrementalDetokenizer(Tokenizer);

        Assert.Equal("a", detokenizer.Append([euro[0], euro[1]]));
        Assert.Equal("\uFFFD", detokenizer.Flush());
    }

    [Fact]
    public void Append_EveryTokenAlone_ConcatenatesToTheWholeText()
    {
        const string text = "Grüße, 世界 🌍 done";
        var detokenizer = new IncrementalDetokenizer(Tokenizer);

        string joined = string.Concat(Tokenizer.Encode(text).Select(id => detokenizer.Append([id]))) + detokenizer.Flush();

        Assert.Equal(text, joined);
    }

    [Fact]
    public void Append_SpecialTokens_AreLeftOut()
    {
        var detokenizer = new IncrementalDetokenizer(Tokenizer);

        Assert.Equal("ab", detokenizer.Append(Tokenizer.Encode($"a{FakeTokenizer.Eos}b")));
    }

    [Fact]
    public void Append_NoTokens_ReturnsEmpty()
    {
        var detokenizer = new IncrementalDetokenizer(Tokenizer);

        Assert.Equal(string.Empty, detokenizer.Append([]));
    }
}
