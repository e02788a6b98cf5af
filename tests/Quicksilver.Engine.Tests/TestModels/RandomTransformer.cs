using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Models;

namespace Quicksilver.Engine.Tests.TestModels;

/// <summary>A <see cref="DiffusionTransformer"/> on a <see cref="RandomCheckpoint"/> (BF16) and the CPU backend; disposes everything it holds.</summary>
internal sealed class RandomTransformer : IDisposable
{
    private readonly RandomCheckpoint _checkpoint;
    private readonly ITensorSource _tensors;
    private readonly CpuBackend _backend;

    public RandomTransformer(ModelConfig config, int seed, int threads = 2)
    {
        _checkpoint = RandomCheckpoint.Create(config, TensorDType.BF16, seed);
        _tensors = CheckpointLoader.Open(_checkpoint.Folder);
        _backend = new CpuBackend(new CpuBackendOptions { Threads = threads });
        Model = new DiffusionTransformer(config, _tensors, _backend);
    }

    public DiffusionTransformer Model { get; }

    public ModelConfig Config => Model.Config;

    public void Dispose()
    {
        Model.Dispose();
        _backend.Dispose();
        _tensors.Dispose();
        _checkpoint.Dispose();
    }
}
