using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Metering;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Engine.Tests.TestModels;

/// <summary>
/// A <see cref="DiffusionEngine"/> on a one-layer random-weight LLaDA checkpoint (vocabulary 64) on the CPU backend,
/// with no end token (answers run to <c>max_tokens</c>); disposes everything it holds.
/// </summary>
internal sealed class TestEngine : IDisposable
{
    private readonly RandomCheckpoint _checkpoint;
    private readonly ITensorSource _tensors;
    private readonly CpuBackend _backend;
    private readonly DiffusionTransformer _model;

    public TestEngine(EngineOptions options, MeteringOptions? metering = null, TimeProvider? time = null)
    {
        ModelConfig config = RandomCheckpoint.LLaDAConfig(vocab: 64, hidden: 32, layers: 1);
        _checkpoint = RandomCheckpoint.Create(config, TensorDType.BF16, seed: 11);
        _tensors = CheckpointLoader.Open(_checkpoint.Folder);
        _backend = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        _model = new DiffusionTransformer(config, _tensors, _backend);
        Engine = new DiffusionEngine(_model, options, new HashSet<int>(), NullLogger<DiffusionEngine>.Instance, time, metering);
    }

    public DiffusionEngine Engine { get; }

    public void Dispose()
    {
        Engine.Dispose();
        _model.Dispose();
        _backend.Dispose();
        _tensors.Dispose();
        _checkpoint.Dispose();
    }
}
