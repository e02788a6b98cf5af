using System.Text;

namespace Quicksilver.Engine.Tokenization;

/// <summary>
/// GPT-2's <c>bytes_to_unicode</c> table: every byte gets a printable character, so byte-level BPE vocabularies
/// can be stored as JSON strings. Printable Latin-1 bytes map to themselves; the other 68 (controls, space,
/// DEL, NBSP, soft hyphen) map to U+0100 and up (space becomes <c>Ġ</c>, newline <c>Ċ</c>).
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>Number of byte symbols.</summary>
    public const int Size = 256;

    private static readonly char[] ByteToCharTable = BuildByteToChar();
    private static readonly int[] CharToByteTable = BuildCharToByte(ByteToCharTable);
    private static readonly string[] SymbolsInGpt2Order = BuildGpt2Order(ByteToCharTable);
    private static readonly int[] ByteToGpt2Index = BuildGpt2Index(SymbolsInGpt2Order);

    /// <summary>
    /// The 256 byte symbols in the order GPT-2's <c>vocab.json</c> gives them ids 0–255: the printable bytes
    /// <c>!</c>…<c>~</c>, <c>¡</c>…<c>¬</c>, <c>®</c>…<c>ÿ</c>, then the remapped ones in byte order.
    /// </summary>
    public static IReadOnlyList<string> Symbols => SymbolsInGpt2Order;

    /// <summary>The position of a byte's symbol in <see cref="Symbols"/> (its id in a GPT-2-ordered vocabulary).</summary>
    public static int Gpt2Index(byte value) => ByteToGpt2Index[value];

    /// <summary>The symbol of one byte.</summary>
    public static char ToChar(byte value) => ByteToCharTable[value];

    /// <summary>The byte a symbol stands for, or -1 when the character is not a byte symbol.</summary>
    public static int ToByte(char symbol) => symbol < CharToByteTable.Length ? CharToByteTable[symbol] : -1;

    /// <summary>Whether every character of <paramref name="token"/> is a byte symbol.</summary>
    public static bool IsByteLevel(string token)
    {
        foreach (char c in token)
        {
            if (ToByte(c) < 0)
            {
                return false;
            }
        }

        return token.Length > 0;
    }

    /// <summary>The text's UTF-8 bytes written as byte symbols.</summary>
    public static string Encode(ReadOnlySpan<char> text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text)];
        Encoding.UTF8.GetBytes(text, bytes);
        return Encode(bytes);
    }

    /// <summary>Bytes written as byte symbols.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[i] = ByteToCharTable[bytes[i]];
        }

        return new string(chars);
    }

    private static char[] BuildByteToChar()
    {
        var table = new char[Size];
        int next = 0;
        for (int b = 0; b < Size; b++)
        {
            table[b] = IsPrintable(b) ? (char)b : (char)(Size + next++);
        }

        return table;
    }

    private static int[] BuildCharToByte(char[] byteToChar)
    {
        var table = new int[Size + 68];
        Array.Fill(table, -1);
        for (int b = 0; b < Size; b++)
        {
            table[byteToChar[b]] = b;
        }

        return table;
    }

    private static string[] BuildGpt2Order(char[] byteToChar)
    {
        var order = new List<string>(Size);
        for (int b = 0; b < Size; b++)
        {
            if (IsPrintable(b))
            {
                order.Add(byteToChar[b].ToString());
            }
        }

        for (int b = 0; b < Size; b++)
        {
            if (!IsPrintable(b))
            {
                order.Add(byteToChar[b].ToString());
            }
        }

        return [.. order];
    }

    private static int[] BuildGpt2Index(string[] symbols)
    {
        var table = new int[Size];
        for (int i = 0; i < Size; i++)
        {
            table[ToByte(symbols[i][0])] = i;
        }

        return table;
    }

    private static bool IsPrintable(int b) => b is (>= '!' and <= '~') or (>= 0xA1 and <= 0xAC) or (>= 0xAE and <= 0xFF);
}
