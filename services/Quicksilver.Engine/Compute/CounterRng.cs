namespace Quicksilver.Engine.Compute;

/// <summary>
/// A stateless, counter-based random source: every draw is a pure function of (seed, counter, index).
/// The same function is implemented in <c>kernels/sampling.cuh</c>, so a seeded request samples the same tokens on
/// every backend and in any batch. The mixing function is SplitMix64's finaliser applied to a combined key.
/// </summary>
public static class CounterRng
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>A 64-bit hash of (seed, counter, index).</summary>
    public static ulong Hash(ulong seed, ulong counter, ulong index)
    {
        ulong x = Mix(seed + Golden);
        x = Mix(x ^ (counter * 0xD1B54A32D192ED03UL));
        return Mix(x ^ (index * 0xABC98388FB8FAC03UL));
    }

    /// <summary>A double uniform on the open interval (0, 1), with 53 random bits.</summary>
    public static double Uniform(ulong seed, ulong counter, ulong index) =>
        ((Hash(seed, counter, index) >> 11) + 0.5) * (1.0 / 9007199254740992.0);

    /// <summary>A standard Gumbel draw, <c>−log(−log u)</c>, in double precision.</summary>
    public static double Gumbel(ulong seed, ulong counter, ulong index) =>
        -Math.Log(-Math.Log(Uniform(seed, counter, index)));

    private static ulong Mix(ulong z)
    {
        z += Golden;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
