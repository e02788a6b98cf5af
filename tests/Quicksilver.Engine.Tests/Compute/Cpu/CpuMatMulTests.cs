using System.Runtime.InteropServices;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cpu;

namespace Quicksilver.Engine.Tests.Compute.Cpu;

/// <summary>
/// The CPU matrix product is blocked over weight panels, groups of panels and six-row micro-kernels; whatever the
/// blocking, every output must be bit-identical to the in-order fused multiply-add chain of its row and weight row,
/// so that a sequence's result never depends on what else is in the batch.
/// </summary>
public sealed class CpuMatMulTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("quicksilver-matmul-");

    public void Dispose() => _folder.Delete(recursive: true);

    // Heights of one row, of whole and partial groups of six; N = 37 leaves a partial panel of sixteen; N = 1000 makes
    // several panels per task; K = 1029 leaves a scalar tail after the 8 × 8 transposes of the panel packing.
    [Theory]
    [InlineData(1, 1029, 37, false)]
    [InlineData(47, 1029, 37, true)]
    [InlineData(101, 1029, 37, false)]
    [InlineData(101, 1029, 37, true)]
    [InlineData(300, 64, 50, false)]
    [InlineData(3, 5, 6, false)]
    [InlineData(13, 64, 1000, true)]
    [InlineData(13, 64, 1000, false)]
    public void MatMul_AnyHeight_EachOutputIsTheInOrderFmaChainOfItsRow(int m, int k, int n, bool widenWeights)
    {
        var random = new Random(m * 31 + k);
        float[] weights = Values(random, n * k, bf16: true);
        float[] bias = Values(random, n, bf16: true);
        float[] input = Values(random, m * k, bf16: false);
        using ITensorSource source = WriteBf16(("w", weights, [n, k]), ("b", bias, [n]));

        float[] batched = MatMul(source, input, m, k, n, widenWeights);

        for (int i = 0; i < m; i++)
        {
            float[] alone = MatMul(source, input.AsSpan(i * k, k).ToArray(), 1, k, n, widenWeights);
            for (int j = 0; j < n; j++)
            {
                float expected = Dot(input.AsSpan(i * k, k), weights.AsSpan(j * k, k)) + bias[j];
                Assert.Equal(expected, batched[(i * n) + j]);
                Assert.Equal(expected, alone[j]);
            }
        }
    }

    // A tied embedding is both gathered and multiplied: in place (BF16 panels kept by the first product) or as an fp32
    // copy, the gather reads the checkpoint's values, and a product repeated after the gather is unchanged.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TiedTable_GathersCheckpointRowsAndRepeatsProductsExactly(bool widenWeights)
    {
        const int vocab = 40, k = 24;
        var random = new Random(7);
        float[] table = Values(random, vocab * k, bf16: true);
        float[] input = Values(random, 3 * k, bf16: false);
        using ITensorSource source = WriteBf16(("w", table, [vocab, k]));
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = 2, WidenWeightsToFp32 = widenWeights });
        source.TryGet("w", out CheckpointTensor? w);
        using IWeight weight = backend.LoadWeight(w!);
        using IDeviceBuffer x = backend.Allocate(3, k);
        using IDeviceBuffer y = backend.Allocate(3, vocab);
        using IDeviceBuffer rows = backend.Allocate(2, k);
        backend.Upload(input, x);

        backend.MatMul(x, weight, null, y);
        var first = new float[3 * vocab];
        backend.Download(y, first);
        backend.Embed(weight, [5, 39], rows);
        backend.MatMul(x, weight, null, y);
        var second = new float[3 * vocab];
        backend.Download(y, second);
        var gathered = new float[2 * k];
        backend.Download(rows, gathered);

        Assert.Equal(table.AsSpan(5 * k, k).ToArray().Concat(table.AsSpan(39 * k, k).ToArray()), gathered);
        Assert.Equal(first, second);
        Assert.Equal(Dot(input.AsSpan(2 * k, k), table.AsSpan(39 * k, k)), second[(2 * vocab) + 39]);
    }

    private static float[] MatMul(ITensorSource source, float[] input, int m, int k, int n, bool widenWeights)
    {
        using var backend = new CpuBackend(new CpuBackendOptions { Threads = 2, WidenWeightsToFp32 = widenWeights });
        source.TryGet("w", out CheckpointTensor? w);
        source.TryGet("b", out CheckpointTensor? b);
        using IWeight weight = backend.LoadWeight(w!);
        using IWeight bias = backend.LoadWeight(b!);
        using IDeviceBuffer x = backend.Allocate(m, k);
        using IDeviceBuffer y = backend.Allocate(m, n);
        backend.Upload(input, x);
        backend.MatMul(x, weight, bias, y);
        var result = new float[m * n];
        backend.Download(y, result);
        return result;
    }

    private static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> w)
    {
        float sum = 0f;
        for (int p = 0; p < x.Length; p++)
        {
            sum = MathF.FusedMultiplyAdd(x[p], w[p], sum);
        }

        return sum;
    }

    private static float[] Values(Random random, int count, bool bf16) =>
        [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5)).Select(v => bf16 ? BFloat16.Round(v) : v)];

    private ITensorSource WriteBf16(params (string Name, float[] Values, long[] Shape)[] tensors)
    {
        string path = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.safetensors");
        SafetensorsWriter.Write(path, [.. tensors.Select(t => new SafetensorsWriter.Entry(
            t.Name, TensorDType.BF16, t.Shape, MemoryMarshal.AsBytes(t.Values.Select(BFloat16.FromSingle).ToArray().AsSpan()).ToArray()))]);
        return CheckpointLoader.OpenFile(path);
    }
}
