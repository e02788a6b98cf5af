using System.Text;

namespace Quicksilver.ModelBuilder;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator whose output is fixed by its definition, unlike
/// <see cref="Random"/>, whose algorithm .NET does not promise to keep. Normal draws use only additions of
/// uniform doubles (Irwin–Hall, n = 12), so they are bit-identical on every IEEE-754 machine; no libm calls.
/// </summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>A generator for one named stream (e.g. one tensor) of a seed, independent of the order streams are used in.</summary>
    public static SplitMix64 ForStream(ulong seed, string name)
    {
        // FNV-1a over the UTF-8 name, then mixed with the seed.
        ulong hash = 0xCBF29CE484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(name))
        {
            hash = (hash ^ b) * 0x100000001B3UL;
        }

        var mixer = new SplitMix64(seed ^ hash);
        return new SplitMix64(mixer.NextUInt64());
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A double uniform on [0, 1), with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>An approximately standard normal draw: the sum of 12 uniforms minus 6 (mean 0, variance 1, range ±6).</summary>
    public double NextStandardNormal()
    {
        double sum = 0;
        for (int i = 0; i < 12; i++)
        {
            sum += NextDouble();
        }

        return sum - 6.0;
    }
}
