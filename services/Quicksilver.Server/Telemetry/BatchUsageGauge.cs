using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Quicksilver.Engine;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Hosting;

namespace Quicksilver.Server.Telemetry;

/// <summary>
/// <c>quicksilver.server.batch.usage</c> (meter <c>Quicksilver.Server</c>): how full the engine's step batch is,
/// 0 to 1, the larger of tokens in flight / <see cref="EngineOptions.MaxTokensPerStep"/> and running sequences /
/// <see cref="EngineOptions.MaxActiveSequences"/>. At 1 new requests queue. A diffusion engine has no paged KV cache,
/// so this is what the Gateway API Inference Extension's "KV cache utilization" signal means here.
/// Created with the meter provider; its meter belongs to the host's <see cref="IMeterFactory"/>.
/// </summary>
internal sealed class BatchUsageGauge
{
    public const string Name = "quicksilver.server.batch.usage";

    private readonly ModelCatalog _catalog;
    private readonly EngineOptions _limits;

    public BatchUsageGauge(ModelCatalog catalog, IOptions<EngineOptions> limits, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(meters);
        _catalog = catalog;
        _limits = limits.Value;
        Meter meter = meters.Create(new MeterOptions(ServerDiagnostics.Name) { Version = ServerDiagnostics.Version });
        meter.CreateObservableGauge(Name, Observe, "1", "Fraction of the engine's step batch in use (tokens or sequences, whichever is fuller); 1 means new requests queue.");
    }

    /// <summary>The usage of a load under these limits, 0 to 1.</summary>
    public static double Usage(EngineLoad load, EngineOptions limits)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(limits);
        double tokens = (double)load.TokensInFlight / Math.Max(1, limits.MaxTokensPerStep);
        double sequences = (double)load.Running / Math.Max(1, limits.MaxActiveSequences);
        return Math.Clamp(Math.Max(tokens, sequences), 0, 1);
    }

    private IEnumerable<Measurement<double>> Observe() => _catalog.Models.Select(model => new Measurement<double>(
        Usage(model.Engine.Load, _limits),
        new KeyValuePair<string, object?>(GenAiAttributes.RequestModel, model.Id)));
}
