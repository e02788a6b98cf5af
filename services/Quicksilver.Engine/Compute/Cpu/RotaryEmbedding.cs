namespace Quicksilver.Engine.Compute.Cpu;

/// <summary>
/// NeoX-style rotary position embedding (<c>rotate_half</c>: element i pairs with i + d/2) computed in fp32 exactly as
/// LLaDA's <c>RotaryEmbedding</c> with <c>rope_full_precision</c>: <c>inv_freq = 1 / θ^(2i/d)</c>,
/// angle = <c>position · inv_freq</c>. Reference for <c>kernels/rope.cu</c>.
/// </summary>
internal static class RotaryEmbedding
{
    public static float[] InverseFrequencies(int headDim, double theta)
    {
        if (headDim % 2 != 0)
        {
            throw new ArgumentException($"RoPE needs an even head dimension, not {headDim}.", nameof(headDim));
        }

        var inverse = new float[headDim / 2];
        for (int i = 0; i < inverse.Length; i++)
        {
            inverse[i] = 1f / MathF.Pow((float)theta, 2 * i / (float)headDim);
        }

        return inverse;
    }

    public static void Rotate(Span<float> row, int headCount, int headDim, int position, float[] inverseFrequencies)
    {
        int half = headDim / 2;
        for (int i = 0; i < half; i++)
        {
            float angle = position * inverseFrequencies[i];
            float cos = MathF.Cos(angle), sin = MathF.Sin(angle);
            for (int h = 0; h < headCount; h++)
            {
                int a = (h * headDim) + i, b = a + half;
                float x1 = row[a], x2 = row[b];
                row[a] = (x1 * cos) - (x2 * sin);
                row[b] = (x2 * cos) + (x1 * sin);
            }
        }
    }
}
