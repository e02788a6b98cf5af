using Quicksilver.Engine.Compute;

namespace Quicksilver.GpuHarness.Parity;

/// <summary>Seeded random inputs, rounded to bf16 so the CPU (fp32) and CUDA (bf16) backends start from identical values.</summary>
internal sealed class RandomData
{
    private readonly Random random;

    public RandomData(int seed) => random = new Random(seed);

    public float[] Uniform(int count, float scale = 1f, float offset = 0f)
    {
        var data = new float[count];
        for (int i = 0; i < count; i++)
        {
            data[i] = BFloat16.Round(offset + (scale * (float)((random.NextDouble() * 2) - 1)));
        }

        return data;
    }

    /// <summary>Approximately normal values (sum of uniforms), not rounded: fp32 logits.</summary>
    public float[] Logits(int count, float scale)
    {
        var data = new float[count];
        for (int i = 0; i < count; i++)
        {
            double s = random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5;
            data[i] = (float)(s * 2 * scale);
        }

        return data;
    }

    public int Next(int max) => random.Next(max);

    public int[] Ints(int count, int max) => Enumerable.Range(0, count).Select(_ => random.Next(max)).ToArray();
}
