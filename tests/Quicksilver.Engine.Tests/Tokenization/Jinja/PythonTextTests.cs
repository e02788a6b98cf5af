using Quicksilver.Engine.Tokenization.Jinja;

namespace Quicksilver.Engine.Tests.Tokenization.Jinja;

public sealed class PythonTextTests
{
    /// <summary><c>[c for c in range(0x10000) if chr(c).isspace()]</c> in CPython 3.</summary>
    private static readonly int[] PythonWhitespace =
    [
        0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
        0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
        0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
    ];

    [Fact]
    public void IsPythonWhitespace_EveryBmpCharacter_AgreesWithPython()
    {
        int[] ours = [.. Enumerable.Range(0, 0x10000).Where(c => PythonText.IsWhitespace((char)c))];

        Assert.Equal(PythonWhitespace, ours);
    }

    [Theory]
    [InlineData("  Hi!\n", "Hi!")]
    [InlineData("\u001cHello.\u001f", "Hello.")]
    [InlineData("\u00a0a b\u3000", "a b")]
    [InlineData("\u200bzero width\u200b", "\u200bzero width\u200b")]
    [InlineData(" \t\r\n", "")]
    [InlineData("", "")]
    public void Strip_Whitespace_RemovedAsPythonStripDoes(string text, string expected) =>
        Assert.Equal(expected, PythonText.Strip(text));

    [Theory]
    [InlineData(@"You are a helpful assistant.", "You are a helpful assistant.")]
    [InlineData(@"a\nb\tc\\d\'e\""f", "a\nb\tc\\d'e\"f")]
    [InlineData(@"keep \d as written", @"keep \d as written")]
    public void StringLiteral_Escapes_AsPythonReadsThem(string literal, string expected) =>
        Assert.Equal(expected, JinjaTemplate.Parse("{{ '" + literal + "' }}").Render(new Dictionary<string, object?>()));
}
