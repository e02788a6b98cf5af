using System.Runtime.InteropServices;
using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Compute.Cuda.Tests;

/// <summary>Random bf16-representable data and checkpoint tensors for comparing the CUDA backend with the CPU one.</summary>
internal sealed class ParityTensors : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "qs-cuda-parity-" + Guid.NewGuid().ToString("N"));
    private readonly List<ITensorSource> sources = [];
    private readonly Random random;
    private int file;

    public ParityTensors(int seed)
    {
        random = new Random(seed);
        Directory.CreateDirectory(folder);
    }

    /// <summary>Uniform values on [−scale, scale), rounded to bf16 so both backends start from identical inputs.</summary>
    public float[] Values(int count, float scale = 1f, float offset = 0f)
    {
        var data = new float[count];
        for (int i = 0; i < count; i++)
        {
            data[i] = BFloat16.Round(offset + (scale * (float)((random.NextDouble() * 2) - 1)));
        }

        return data;
    }

    /// <summary>A checkpoint tensor holding <paramref name="data"/> (BF16 for matrices, F32 for vectors).</summary>
    public CheckpointTensor Tensor(string name, float[] data, params long[] shape)
    {
        TensorDType dtype = shape.Length == 1 ? TensorDType.F32 : TensorDType.BF16;
        byte[] bytes = dtype == TensorDType.F32
            ? MemoryMarshal.AsBytes(data.AsSpan()).ToArray()
            : MemoryMarshal.AsBytes(data.Select(BFloat16.FromSingle).ToArray().AsSpan()).ToArray();
        string path = Path.Combine(folder, $"t{file++}.safetensors");
        SafetensorsWriter.Write(path, [new SafetensorsWriter.Entry(name, dtype, shape, bytes)]);
        ITensorSource source = CheckpointLoader.OpenFile(path);
        sources.Add(source);
        return source.TryGet(name, out CheckpointTensor? tensor) ? tensor : throw new InvalidOperationException(name);
    }

    public void Dispose()
    {
        foreach (ITensorSource source in sources)
        {
            source.Dispose();
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Asserts ‖actual − expected‖/‖expected‖ ≤ <paramref name="relL2"/> and |actual − expected| ≤ atol + rtol·|expected|
    /// everywhere; NaN never passes.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relL2, double atol, double rtol, string label)
    {
        Assert.Equal(expected.Length, actual.Length);
        double err2 = 0, ref2 = 0;
        int bad = 0;
        int firstBad = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            double d = a - e;
            err2 += d * d;
            ref2 += e * e;
            if (!(Math.Abs(d) <= atol + (rtol * Math.Abs(e))))
            {
                bad++;
                if (firstBad < 0)
                {
                    firstBad = i;
                }
            }
        }

        double rel = ref2 == 0 ? Math.Sqrt(err2) : Math.Sqrt(err2 / ref2);
        Assert.True(bad == 0, $"{label}: {bad} of {expected.Length} elements outside atol {atol} + rtol {rtol}; first at {firstBad}: expected {(firstBad >= 0 ? expected[firstBad] : 0)}, got {(firstBad >= 0 ? actual[firstBad] : 0)}");
        Assert.True(rel <= relL2, $"{label}: relative L2 error {rel:E2} > {relL2:E1}");
    }
}
