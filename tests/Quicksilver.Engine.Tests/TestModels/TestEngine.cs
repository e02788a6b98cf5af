using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine.Metering;
using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Engine.Tests.TestModels;

/// <summary>
/// A <see cref="DiffusionEngine"/> on a random-weight LLaDA checkpoint (vocabulary 64, d = 32, one layer unless told)
/// on the CPU backend, with no end token (answers run to <c>max_tokens</c>); disposes everything it holds.
/// </summary>
internal sealed class TestEngine : IDisposable
{
    private readonly RandomTransformer _model;

    public TestEngine(EngineOptions options, MeteringOptions? metering = null, TimeProvider? time = null, int layers = 1)
    {
        _model = new RandomTransformer(RandomCheckpoint.LLaDAConfig(vocab: 64, hidden: 32, layers: layers), seed: 11, threads: 1);
        Engine = new DiffusionEngine(_model.Model, options, new HashSet<int>(), NullLogger<DiffusionEngine>.Instance, time, metering);
    }

    public DiffusionEngine Engine { get; }

    public void Dispose()
    {
        Engine.Dispose();
        _model.Dispose();
    }

    /// <summary>Runs a request to the end and returns its answer tokens.</summary>
    public async Task<int[]> Collect(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        var tokens = new List<int>();
        await foreach (GenerationUpdate update in Engine.GenerateAsync(request, cancellationToken))
        {
            tokens.AddRange(update.Tokens);
        }

        return tokens.ToArray();
    }
}
