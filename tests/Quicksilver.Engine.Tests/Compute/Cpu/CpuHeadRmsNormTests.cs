using System.Runtime.InteropServices;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cpu;

namespace Quicksilver.Engine.Tests.Compute.Cpu;

/// <summary>
/// <see cref="CpuBackend.HeadRmsNorm"/> (SDAR's q/k norm) on hand-computed values. Tolerance: 1e-6 absolute, fp32
/// rounding of values below 3.
/// </summary>
public sealed class CpuHeadRmsNormTests : IDisposable
{
    private const float Tolerance = 1e-6f;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("quicksilver-headnorm-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void HeadRmsNorm_TwoRowsOfTwoHeads_NormalisesEachHeadOnItsOwn()
    {
        // Head (3, 4): rms √12.5, so (3, 4)/√12.5 = (0.848528, 1.131371), times the weight (1, 2). Head (1, −1): rms 1.
        // Head (0, 2): rms √2. Head (−6, 8): rms √50. ε = 0, so the values are exact up to fp32 rounding.
        float[] rows = [3, 4, 1, -1, 0, 2, -6, 8];
        float[] expected =
        [
            3 / MathF.Sqrt(12.5f), 2 * 4 / MathF.Sqrt(12.5f), 1, -2,
            0, 2 * 2 / MathF.Sqrt(2f), -6 / MathF.Sqrt(50f), 2 * 8 / MathF.Sqrt(50f),
        ];

        float[] normalised = HeadRmsNorm(rows, [1f, 2f], rowCount: 2, headCount: 2, epsilon: 0f);

        Assert.Equal(expected.Length, normalised.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(MathF.Abs(expected[i] - normalised[i]) <= Tolerance, $"element {i}: expected {expected[i]}, got {normalised[i]}");
        }
    }

    [Fact]
    public void HeadRmsNorm_EpsilonInsideTheRoot()
    {
        // (1, 1) with ε = 1: mean square 1, so each element is 1/√2.
        float[] normalised = HeadRmsNorm([1, 1], [1f, 1f], rowCount: 1, headCount: 1, epsilon: 1f);

        Assert.All(normalised, v => Assert.True(MathF.Abs(v - (1 / MathF.Sqrt(2f))) <= Tolerance, $"got {v}"));
    }

    [Fact]
    public void HeadRmsNorm_WeightNotAHeadWide_Throws()
    {
        Assert.Throws<ArgumentException>(() => HeadRmsNorm([1, 2, 3, 4, 5, 6], [1f, 1f], rowCount: 1, headCount: 2, epsilon: 0f));
    }

    private float[] HeadRmsNorm(float[] rows, float[] weight, int rowCount, int headCount, float epsilon)
    {
        string path = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.safetensors");
        SafetensorsWriter.Write(path, [new SafetensorsWriter.Entry("norm", TensorDType.F32, [weight.Length], MemoryMarshal.AsBytes(weight.AsSpan()).ToArray())]);
        using ITensorSource source = CheckpointLoader.OpenFile(path);
        source.TryGet("norm", out CheckpointTensor? tensor);
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = 2 });
        using IWeight norm = backend.LoadWeight(tensor!);
        using IDeviceBuffer buffer = backend.Allocate(rowCount, rows.Length / rowCount);
        backend.Upload(rows, buffer);

        backend.HeadRmsNorm(buffer, norm, headCount, epsilon);

        var result = new float[rows.Length];
        backend.Download(buffer, result);
        return result;
    }
}
