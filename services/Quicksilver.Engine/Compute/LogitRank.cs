namespace Quicksilver.Engine.Compute;

/// <summary>
/// The order in which a row's tokens rank: by logit, highest first, ties to the lower id. A token's rank is one 64-bit
/// key, larger for a better rank: the logit's order-preserving bits, then the id inverted in 32 bits (as
/// <c>logit_rank_key</c> in <c>kernels/top_logprobs.cu</c>; <c>truncation.cuh</c>'s <c>rank_key</c> packs the id in
/// fewer bits, in the same order).
/// </summary>
internal static class LogitRank
{
    /// <summary>The rank key of <paramref name="token"/> with logit <paramref name="logit"/>.</summary>
    public static ulong Key(float logit, int token) => ((ulong)OrderedBits(logit) << 32) | (uint.MaxValue - (uint)token);

    /// <summary>The token a <see cref="Key"/> was made for.</summary>
    public static int Token(ulong key) => (int)(uint.MaxValue - (uint)key);

    /// <summary>The float's bits mapped so that unsigned order is numeric order (negatives flipped, positives above them).</summary>
    private static uint OrderedBits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }
}
