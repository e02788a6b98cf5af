using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Engine.Tests.Tokenization;

public sealed class ByteLevelAlphabetTests
{
    [Fact]
    public void Symbols_AreGpt2VocabularyOrder()
    {
        // Ids from GPT-2's vocab.json: "!" 0, "Ā" (byte 0) 188, "Ċ" (newline) 198, "Ġ" (space) 220.
        Assert.Equal("!", ByteLevelAlphabet.Symbols[0]);
        Assert.Equal("Ā", ByteLevelAlphabet.Symbols[188]);
        Assert.Equal("Ċ", ByteLevelAlphabet.Symbols[198]);
        Assert.Equal("Ġ", ByteLevelAlphabet.Symbols[220]);
        Assert.Equal(TokenizerFixtures.ByteSymbols(), ByteLevelAlphabet.Symbols);
    }

    [Fact]
    public void ToByte_EverySymbol_InvertsToChar()
    {
        for (int b = 0; b < 256; b++)
        {
            char symbol = ByteLevelAlphabet.ToChar((byte)b);
            Assert.Equal(b, ByteLevelAlphabet.ToByte(symbol));
            Assert.Equal(TokenizerFixtures.Symbol((byte)b), symbol.ToString());
            Assert.Equal(b, ByteLevelAlphabet.ToByte(ByteLevelAlphabet.Symbols[ByteLevelAlphabet.Gpt2Index((byte)b)][0]));
        }

        Assert.Equal(-1, ByteLevelAlphabet.ToByte(' '));
        Assert.Equal(-1, ByteLevelAlphabet.ToByte('€'));
    }

    [Fact]
    public void Encode_Text_MapsUtf8Bytes()
    {
        Assert.Equal("ĠhelloĊ", ByteLevelAlphabet.Encode(" hello\n"));
        Assert.Equal("âĤ¬", ByteLevelAlphabet.Encode("€"));
    }
}
