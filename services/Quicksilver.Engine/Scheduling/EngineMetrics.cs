using System.Diagnostics.Metrics;

namespace Quicksilver.Engine.Scheduling;

/// <summary>
/// The step loop's meters (System.Diagnostics.Metrics, meter <c>Quicksilver.Engine</c>): step duration, batch size,
/// tokens committed per step, and gauges of waiting/running requests, tokens in flight and K/V cache bytes held. Every
/// measurement carries the model as <c>gen_ai.request.model</c>, as the server's and the metering meters' do, so that
/// queries join them on one label (the meter's own tag of it, which tells engines apart in one process, is exported as
/// a scope label).
/// </summary>
public sealed class EngineMetrics : IDisposable
{
    /// <summary>The meter name to enable (a host's <c>EnableMetrics</c>, or OpenTelemetry's <c>AddMeter</c>).</summary>
    public const string MeterName = "Quicksilver.Engine";

    private readonly Meter _meter;
    private readonly Histogram<double> _stepDuration;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _tokensPerStep;
    private readonly KeyValuePair<string, object?> _model;
    private bool _disposed;

    /// <summary>
    /// Creates the meters, from <paramref name="meters"/> when given (a host's factory: its exporter then tells this
    /// engine's meter from other hosts' in the process); <paramref name="load"/> and <paramref name="kvCacheBytes"/>
    /// are read when the gauges are observed.
    /// </summary>
    public EngineMetrics(string model, Func<EngineLoad> load, Func<long> kvCacheBytes, IMeterFactory? meters = null)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(kvCacheBytes);
        _model = new("gen_ai.request.model", model);
        var options = new MeterOptions(MeterName) { Tags = [_model] };
        _meter = meters?.Create(options) ?? new Meter(options);
        _stepDuration = _meter.CreateHistogram<double>("quicksilver.engine.step.duration", "s", "Wall time of one denoising step: the forward pass over the batch and the commits.");
        _batchSize = _meter.CreateHistogram<int>("quicksilver.engine.batch.size", "{sequence}", "Sequences in one step's batch.");
        _tokensPerStep = _meter.CreateHistogram<double>("quicksilver.engine.tokens_per_step", "{token}", "Tokens one sequence committed in one step (parallel decoding commits more than one).");
        _meter.CreateObservableGauge("quicksilver.engine.requests.waiting", () => Observe(() => load().Waiting), "{request}", "Requests waiting for a place in the batch.");
        _meter.CreateObservableGauge("quicksilver.engine.requests.running", () => Observe(() => load().Running), "{request}", "Sequences in the step loop.");
        _meter.CreateObservableGauge("quicksilver.engine.tokens.in_flight", () => Observe(() => load().TokensInFlight), "{token}", "Canvas tokens of the running sequences.");
        _meter.CreateObservableGauge("quicksilver.engine.kv_cache.usage", () => Observe(kvCacheBytes), "By", "Memory held by the running sequences' K/V caches (block caching).");
    }

    internal void RecordStep(TimeSpan duration, int batchSize)
    {
        _stepDuration.Record(duration.TotalSeconds, _model);
        _batchSize.Record(batchSize, _model);
    }

    internal void RecordCommitted(int tokens) => _tokensPerStep.Record(tokens, _model);

    /// <summary>Stops the gauges (a host's factory meter outlives its <c>Dispose</c>, and must not read a stopped engine).</summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        _meter.Dispose();
    }

    private IEnumerable<Measurement<T>> Observe<T>(Func<T> value)
        where T : struct => Volatile.Read(ref _disposed) ? [] : [new Measurement<T>(value(), _model)];
}
