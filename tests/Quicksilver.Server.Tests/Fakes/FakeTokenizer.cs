using System.Text;
using Quicksilver.Engine.Tokenization;

namespace Quicksilver.Server.Tests.Fakes;

/// <summary>
/// A byte-level tokenizer small enough to reason about: id 0 is <c>&lt;|eos|&gt;</c>, id 1 <c>&lt;|mask|&gt;</c>
/// (both special), ids 2..257 are the bytes 0..255 of the UTF-8 text. A multi-byte character is several tokens, so a
/// block boundary can split it, as with real byte-level BPE.
/// </summary>
internal sealed class FakeTokenizer : ITextTokenizer
{
    public const int EosId = 0;
    public const int MaskId = 1;
    public const string Eos = "<|eos|>";
    public const string Mask = "<|mask|>";
    private const int ByteOffset = 2;

    public int VocabSize => ByteOffset + 256;

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>();
        int start = 0;
        while (start < text.Length)
        {
            int eos = text.IndexOf(Eos, start, StringComparison.Ordinal);
            int end = eos < 0 ? text.Length : eos;
            foreach (byte b in Encoding.UTF8.GetBytes(text[start..end]))
            {
                ids.Add(ByteOffset + b);
            }

            if (eos < 0)
            {
                break;
            }

            ids.Add(EosId);
            start = eos + Eos.Length;
        }

        return ids;
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        var text = new StringBuilder();
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if (id >= ByteOffset)
            {
                bytes.Add((byte)(id - ByteOffset));
                continue;
            }

            text.Append(Encoding.UTF8.GetString([.. bytes]));
            bytes.Clear();
            if (!skipSpecialTokens)
            {
                text.Append(id == EosId ? Eos : Mask);
            }
        }

        return text.Append(Encoding.UTF8.GetString([.. bytes])).ToString();
    }

    public int? TokenToId(string token) => token switch
    {
        Eos => EosId,
        Mask => MaskId,
        _ => Encoding.UTF8.GetByteCount(token) == 1 ? ByteOffset + Encoding.UTF8.GetBytes(token)[0] : null,
    };

    public bool IsSpecial(int id) => id < ByteOffset;
}
