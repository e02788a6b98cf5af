using Quicksilver.Server.Tests.Fakes;

namespace Quicksilver.Server.Completions.Tests;

/// <summary>
/// Answer tokens' offsets in characters through <see cref="FakeTokenizer"/>, one token per UTF-8 byte, so characters
/// split across tokens and invalid bytes can be written out byte by byte.
/// </summary>
public sealed class TokenTextOffsetsTests
{
    [Fact]
    public void Next_CharactersSplitAcrossTokens_EachByteAtItsCharactersOffset()
    {
        // "a€😀b": € is E2 82 AC, 😀 is F0 9F 98 80 (one code point, two UTF-16 units).
        Assert.Equal([0, 1, 1, 1, 2, 2, 2, 2, 3], Offsets([0x61, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x62]));
    }

    [Fact]
    public void Next_InvalidBytes_EachIsTheOneCharacterItBecomes()
    {
        // A lone continuation byte, two 0xFF and a lead byte followed by ASCII all decode as U+FFFD: ",�,��,�x".
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], Offsets([0x2C, 0xAC, 0x2C, 0xFF, 0xFF, 0x2C, 0xE2, 0x78]));
    }

    [Fact]
    public void Next_InvalidRunThenAWholeCharacter_CountsEveryReplacement()
    {
        // Six lone continuation bytes, then "é" (C3 A9) split in two, then "!": "������é!".
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 6, 7], Offsets([0xAC, 0xAC, 0xAC, 0xAC, 0xAC, 0xAC, 0xC3, 0xA9, 0x21]));
    }

    [Fact]
    public void Next_OffsetsMatchTheDecodedText()
    {
        const string text = "Héllo, wörld: 1€ ✓ 😀 done.";
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        int[] offsets = Offsets(bytes);

        string[] characters = [.. text.EnumerateRunes().Select(r => r.ToString())];
        for (int i = 0, b = 0; i < characters.Length; b += System.Text.Encoding.UTF8.GetByteCount(characters[i]), i++)
        {
            Assert.All(offsets.Skip(b).Take(System.Text.Encoding.UTF8.GetByteCount(characters[i])), offset => Assert.Equal(i, offset));
        }
    }

    private static int[] Offsets(IEnumerable<byte> bytes)
    {
        var offsets = new TokenTextOffsets(FakeServedModel.Tokenizer);
        return [.. bytes.Select(b => offsets.Next(b + 2))];
    }
}
