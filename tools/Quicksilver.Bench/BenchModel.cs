using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Models;

namespace Quicksilver.Bench;

/// <summary>A model folder loaded on the CPU backend for benchmarking.</summary>
internal sealed class BenchModel : IDisposable
{
    private readonly ITensorSource _tensors;
    private readonly CpuBackend _backend;

    public BenchModel(string folder, int threads, bool widenWeightsToFp32 = false)
    {
        Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        Config = ModelConfigReader.Read(Path.Combine(folder, "config.json"));
        _tensors = CheckpointLoader.Open(folder);
        _backend = new CpuBackend(new CpuBackendOptions { Threads = threads, WidenWeightsToFp32 = widenWeightsToFp32 });
        Transformer = new DiffusionTransformer(Config, _tensors, _backend);
    }

    public string Name { get; }

    public ModelConfig Config { get; }

    public DiffusionTransformer Transformer { get; }

    public string Shape => $"{Config.Architecture}, d={Config.HiddenSize}, layers={Config.LayerCount}, heads={Config.HeadCount}, kv-heads={Config.KeyValueHeadCount}, mlp={Config.IntermediateSize}, vocab={Config.VocabSize}";

    /// <summary>FLOPs of one full-canvas forward: body GEMMs, attention (QKᵀ and PV), LM head on the scored rows.</summary>
    public double ForwardFlops(int sequences, int canvas, int scoredPerSequence)
    {
        ModelConfig c = Config;
        double kv = (double)c.KeyValueHeadCount * c.HeadDim;
        double perTokenBody = 2.0 * c.LayerCount * ((2.0 * c.HiddenSize * c.HiddenSize) + (2.0 * c.HiddenSize * kv) + (3.0 * c.HiddenSize * c.IntermediateSize));
        double attention = 4.0 * c.LayerCount * canvas * (double)canvas * c.HiddenSize;
        double head = 2.0 * scoredPerSequence * c.HiddenSize * c.VocabSize;
        return sequences * ((perTokenBody * canvas) + attention + head);
    }

    public void Dispose()
    {
        Transformer.Dispose();
        _backend.Dispose();
        _tensors.Dispose();
    }
}
