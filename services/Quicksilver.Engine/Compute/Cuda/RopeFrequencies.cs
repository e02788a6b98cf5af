namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>
/// RoPE inverse frequencies <c>inv_freq[i] = θ^(−2i/d)</c>, computed on the host in double and rounded to fp32,
/// then uploaded as a table: the kernel's angles (<c>fp32(position) · inv_freq[i]</c>) are then bit-identical to the
/// CPU backend's, which matters at large positions where one ulp of inv_freq moves the angle visibly.
/// </summary>
internal static class RopeFrequencies
{
    public static float[] Compute(int headDim, double theta)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(headDim);
        if (headDim % 2 != 0)
        {
            throw new ArgumentException($"RoPE needs an even head width, got {headDim}.", nameof(headDim));
        }

        float[] table = new float[headDim / 2];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = (float)(1.0 / Math.Pow(theta, 2.0 * i / headDim));
        }

        return table;
    }
}
