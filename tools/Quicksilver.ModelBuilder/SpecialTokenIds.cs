namespace Quicksilver.ModelBuilder;

/// <summary>Where the named special tokens landed in the vocabulary.</summary>
internal sealed record SpecialTokenIds(int EndOfText, int StartOfText, int Mask, int StartHeader, int EndHeader, int EndOfTurn)
{
    /// <summary>The ids for special tokens appended, in <see cref="TinyModelTokens.Named"/> order, from <paramref name="first"/>.</summary>
    public static SpecialTokenIds From(int first) => new(first, first + 1, first + 2, first + 3, first + 4, first + 5);
}
