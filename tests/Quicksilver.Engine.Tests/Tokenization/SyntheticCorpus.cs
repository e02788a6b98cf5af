using System.Text;

namespace Quicksilver.Engine.Tests.Tokenization;

/// <summary>Deterministic pseudo-text: Zipf-ish words made of syllables, punctuation, numbers, some non-ASCII.</summary>
internal static class SyntheticCorpus
{
    private static readonly string[] Syllables =
    [
        "the", "an", "in", "con", "tion", "er", "ing", "re", "de", "pro", "ly", "ment", "s", "ed", "al", "ous",
        "ver", "li", "ce", "ter", "ca", "mi", "to", "na", "ré", "über", "ñ", "中", "文", "ö",
    ];

    public static string Generate(int approximateLength, ulong seed)
    {
        var text = new StringBuilder(approximateLength + 64);
        ulong state = seed;
        var lexicon = new string[3000];
        for (int w = 0; w < lexicon.Length; w++)
        {
            int syllables = 1 + (int)(Next(ref state) % 4);
            var word = new StringBuilder();
            for (int s = 0; s < syllables; s++)
            {
                word.Append(Syllables[Next(ref state) % (ulong)Syllables.Length]);
            }

            lexicon[w] = word.ToString();
        }

        while (text.Length < approximateLength)
        {
            // Squaring a uniform draw favours the first words of the lexicon, roughly like natural text.
            double u = (Next(ref state) >> 11) * (1.0 / (1UL << 53));
            text.Append(lexicon[(int)(u * u * lexicon.Length)]);
            ulong r = Next(ref state) % 20;
            text.Append(r switch
            {
                0 => ". ",
                1 => ", ",
                2 => "\n",
                3 => " " + (Next(ref state) % 1000).ToString(System.Globalization.CultureInfo.InvariantCulture) + " ",
                _ => " ",
            });
        }

        return text.ToString();
    }

    private static ulong Next(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        ulong z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
