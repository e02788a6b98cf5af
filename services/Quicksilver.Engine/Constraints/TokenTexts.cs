using System.Text;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Engine.Constraints;

/// <summary>
/// The UTF-8 text each token id writes into an answer, decoded alone: what a byte-level constraint checks a token
/// against. Special tokens write none (null): the answer's text leaves them out. A token that is part of a UTF-8
/// character decodes to U+FFFD, whose bytes are, like the part's, all above 0x7F: a rule that only tells ASCII bytes
/// apart (JSON) judges it as it would the real bytes.
/// </summary>
public sealed class TokenTexts
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ITextTokenizer, TokenTexts> Decoded = [];

    private readonly byte[]?[] _bytes;
    private readonly int[][] _byFirstByte;
    private readonly int[] _silent;

    /// <summary>
    /// Decodes every id of <paramref name="tokenizer"/>'s vocabulary once; ids from its size up to
    /// <paramref name="modelVocabulary"/> (a checkpoint's padding rows) write nothing.
    /// </summary>
    public TokenTexts(ITextTokenizer tokenizer, int modelVocabulary = 0)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _bytes = new byte[]?[Math.Max(tokenizer.VocabSize, modelVocabulary)];
        for (int id = 0; id < tokenizer.VocabSize; id++)
        {
            _bytes[id] = tokenizer.IsSpecial(id) ? null : Encoding.UTF8.GetBytes(tokenizer.DecodeAlone(id));
        }

        (_byFirstByte, _silent) = Group(_bytes);
    }

    /// <summary>A table given id by id (null for a token that writes no text).</summary>
    public TokenTexts(IEnumerable<byte[]?> bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _bytes = [.. bytes];
        (_byFirstByte, _silent) = Group(_bytes);
    }

    /// <summary>
    /// The table of <paramref name="tokenizer"/> for a model of <paramref name="modelVocabulary"/> logit rows, decoded on
    /// first use and kept as long as the tokenizer.
    /// </summary>
    public static TokenTexts Of(ITextTokenizer tokenizer, int modelVocabulary)
    {
        TokenTexts texts = Decoded.GetValue(tokenizer, t => new TokenTexts(t, modelVocabulary));
        return texts.Count >= modelVocabulary ? texts : new TokenTexts(tokenizer, modelVocabulary);
    }

    /// <summary>Ids in the vocabulary.</summary>
    public int Count => _bytes.Length;

    /// <summary>The bytes token <paramref name="id"/> writes; null for a special token or an id outside the vocabulary.</summary>
    public byte[]? this[int id] => (uint)id < (uint)_bytes.Length ? _bytes[id] : null;

    /// <summary>The ids whose text starts with <paramref name="first"/>, ascending.</summary>
    public ReadOnlySpan<int> StartingWith(byte first) => _byFirstByte[first];

    /// <summary>The ids that write no text (special tokens, empty texts), ascending.</summary>
    public ReadOnlySpan<int> Silent => _silent;

    private static (int[][] ByFirstByte, int[] Silent) Group(byte[]?[] bytes)
    {
        var groups = new List<int>[256];
        var silent = new List<int>();
        for (int id = 0; id < bytes.Length; id++)
        {
            if (bytes[id] is { Length: > 0 } text)
            {
                (groups[text[0]] ??= []).Add(id);
            }
            else
            {
                silent.Add(id);
            }
        }

        return ([.. groups.Select(group => group?.ToArray() ?? [])], [.. silent]);
    }
}
