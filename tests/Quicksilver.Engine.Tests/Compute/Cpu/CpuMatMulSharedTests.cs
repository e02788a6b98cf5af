using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Compute.Cpu;

/// <summary><see cref="CpuBackend.MatMulShared"/>: each product exactly as <see cref="CpuBackend.MatMul"/> gives it, and mismatched lists refused.</summary>
public sealed class CpuMatMulSharedTests : IDisposable
{
    private readonly CpuBackend _backend = new(new CpuBackendOptions { Threads = 2 });
    private readonly RandomCheckpoint _checkpoint = RandomCheckpoint.Create(RandomCheckpoint.DreamConfig(hidden: 32, heads: 4, kvHeads: 2), TensorDType.BF16, seed: 9);
    private readonly ITensorSource _tensors;

    public CpuMatMulSharedTests() => _tensors = CheckpointLoader.Open(_checkpoint.Folder);

    public void Dispose()
    {
        _tensors.Dispose();
        _checkpoint.Dispose();
        _backend.Dispose();
    }

    [Fact]
    public void MatMulShared_DreamQkvWithBiases_EqualsEachMatMul()
    {
        string[] names = ["q_proj", "k_proj", "v_proj"];
        IWeight[] weights = [.. names.Select(n => _backend.LoadWeight(Tensor($"model.layers.0.self_attn.{n}.weight")))];
        IWeight?[] biases = [.. names.Select(n => _backend.LoadWeight(Tensor($"model.layers.0.self_attn.{n}.bias")))];
        var random = new Random(4);
        float[] x = [.. Enumerable.Range(0, 5 * 32).Select(_ => (float)random.NextDouble() - 0.5f)];
        using IDeviceBuffer input = _backend.Allocate(5, 32);
        _backend.Upload(x, input);
        IDeviceBuffer[] shared = [.. weights.Select(w => _backend.Allocate(5, w.Rows))];
        IDeviceBuffer[] single = [.. weights.Select(w => _backend.Allocate(5, w.Rows))];
        try
        {
            _backend.MatMulShared(input, weights, biases, shared);
            for (int i = 0; i < weights.Length; i++)
            {
                _backend.MatMul(input, weights[i], biases[i], single[i]);
            }

            for (int i = 0; i < weights.Length; i++)
            {
                Assert.Equal(Download(single[i]), Download(shared[i]));
            }
        }
        finally
        {
            foreach (IDisposable owned in weights.Concat(biases.OfType<IWeight>()).Concat<IDisposable>(shared).Concat(single))
            {
                owned.Dispose();
            }
        }
    }

    [Fact]
    public void MatMulShared_FewerOutputsThanWeights_Throws()
    {
        using IWeight weight = _backend.LoadWeight(Tensor("model.layers.0.self_attn.k_proj.weight"));
        using IDeviceBuffer input = _backend.Allocate(1, 32), output = _backend.Allocate(1, weight.Rows);

        ArgumentException error = Assert.Throws<ArgumentException>(() => _backend.MatMulShared(input, [weight, weight], [null, null], [output]));
        Assert.Contains("2 weights, 2 biases, 1 outputs", error.Message, StringComparison.Ordinal);
    }

    private CheckpointTensor Tensor(string name)
    {
        Assert.True(_tensors.TryGet(name, out CheckpointTensor? tensor), name);
        return tensor!;
    }

    private float[] Download(IDeviceBuffer buffer)
    {
        var values = new float[buffer.Rows * buffer.Columns];
        _backend.Download(buffer, values);
        return values;
    }
}
