using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Engine.Tests.Tokenization.ChatTemplates;

/// <summary>A tokenizer that knows only the special tokens it is given (for the detector's vocabulary checks).</summary>
internal sealed class SpecialTokenVocabulary(params string[] tokens) : ITextTokenizer
{
    public int VocabSize => tokens.Length;

    public IReadOnlyList<int> Encode(string text) => throw new NotSupportedException();

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => throw new NotSupportedException();

    public int? TokenToId(string token) => Array.IndexOf(tokens, token) is int id and >= 0 ? id : null;

    public bool IsSpecial(int id) => true;
}
