using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Metering;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.Scheduling;

namespace Quicksilver.Engine.Tests.TestModels;

/// <summary>
/// A <see cref="DiffusionEngine"/> on a random-weight LLaDA checkpoint (Dream when told: GQA with 2 key/value heads,
/// shifted logits; SDAR or Fast-dLLM v2 likewise, with their switches; block-causal attention when given an attention block; the generation defaults of a
/// <c>generation_config.json</c> when given; vocabulary 64, d = 32, one layer unless told)
/// on the CPU backend, with no end token (answers run to <c>max_tokens</c>); disposes everything it holds.
/// </summary>
internal sealed class TestEngine : IDisposable
{
    private readonly RandomTransformer _model;

    public TestEngine(
        EngineOptions options,
        MeteringOptions? metering = null,
        TimeProvider? time = null,
        int layers = 1,
        ModelArchitecture architecture = ModelArchitecture.LLaDA,
        int attentionBlockLength = 0,
        GenerationDefaults? generation = null)
    {
        ModelConfig config = architecture switch
        {
            ModelArchitecture.Dream => RandomCheckpoint.DreamConfig(vocab: 64, hidden: 32, layers: layers),
            ModelArchitecture.Sdar => RandomCheckpoint.SdarConfig(attentionBlockLength, layers, vocab: 64),
            ModelArchitecture.FastDllmV2 => RandomCheckpoint.FastDllmV2Config(attentionBlockLength, layers, vocab: 64),
            _ => RandomCheckpoint.LLaDAConfig(vocab: 64, hidden: 32, layers: layers),
        };
        _model = new RandomTransformer(config with { AttentionBlockLength = attentionBlockLength }, seed: 11, threads: 1);
        Engine = new DiffusionEngine(_model.Model, options, new HashSet<int>(), NullLogger<DiffusionEngine>.Instance, time, metering, generation);
    }

    public DiffusionEngine Engine { get; }

    /// <summary>The engine's model, for decoding by hand alongside it.</summary>
    public DiffusionTransformer Model => _model.Model;

    public void Dispose()
    {
        Engine.Dispose();
        _model.Dispose();
    }

    /// <summary>Runs a request to the end and returns its answer tokens.</summary>
    public async Task<int[]> Collect(GenerationRequest request, CancellationToken cancellationToken = default) =>
        [.. await Engine.CollectAsync(request, cancellationToken)];
}
