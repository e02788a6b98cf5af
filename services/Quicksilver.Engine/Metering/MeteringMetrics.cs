using System.Diagnostics.Metrics;

namespace Quicksilver.Engine.Metering;

/// <summary>
/// The billing meters of one engine (System.Diagnostics.Metrics, meter <c>Quicksilver.Metering</c>):
/// <c>quicksilver.gpu.seconds</c> and <c>quicksilver.cost</c>, recorded once per sequence as it leaves the step loop
/// for whatever reason (finished, cancelled, failed, engine stopped: time spent on a cancelled request is still its
/// tenant's), with attributes <c>quicksilver.tenant</c> and <c>gen_ai.request.model</c>; and
/// <c>quicksilver.gpu.idle_seconds</c>, device time with nothing to run (model attribute only). The server counts
/// billed tokens (<c>quicksilver.tokens</c>) under the same meter name.
/// </summary>
public sealed class MeteringMetrics : IDisposable
{
    /// <summary>The meter name to enable (a host's <c>EnableMetrics</c>, or OpenTelemetry's <c>AddMeter</c>).</summary>
    public const string MeterName = "Quicksilver.Metering";

    /// <summary>Attributed device seconds (unit <c>s</c>).</summary>
    public const string GpuSecondsName = "quicksilver.gpu.seconds";

    /// <summary>The same seconds priced (unit <c>USD</c>).</summary>
    public const string CostName = "quicksilver.cost";

    /// <summary>Device seconds with no sequence to run (unit <c>s</c>).</summary>
    public const string IdleSecondsName = "quicksilver.gpu.idle_seconds";

    private readonly Meter _meter;
    private readonly string _model;
    private readonly MeteringOptions _price;
    private readonly Counter<double> _gpuSeconds;
    private readonly Counter<double> _cost;
    private bool _disposed;

    /// <summary>Creates the meters; <paramref name="idle"/> is read when the idle counter is observed.</summary>
    /// <param name="model">The served model's id.</param>
    /// <param name="price">What a GPU hour costs.</param>
    /// <param name="idle">The engine's idle time so far.</param>
    /// <param name="meters">The host's meter factory, when there is one (see <see cref="Scheduling.EngineMetrics"/>).</param>
    public MeteringMetrics(string model, MeteringOptions price, Func<TimeSpan> idle, IMeterFactory? meters = null)
    {
        ArgumentNullException.ThrowIfNull(price);
        ArgumentNullException.ThrowIfNull(idle);
        _model = model;
        _price = price;
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _gpuSeconds = _meter.CreateCounter<double>(GpuSecondsName, "s", "Device seconds attributed to requests: each step's wall time shared by the tokens each sequence fed the forward pass.");
        _cost = _meter.CreateCounter<double>(CostName, "USD", "quicksilver.gpu.seconds priced at Quicksilver:Metering:GpuHourPriceUsd per hour.");
        _meter.CreateObservableCounter(
            IdleSecondsName,
            () => Volatile.Read(ref _disposed) ? (IEnumerable<Measurement<double>>)[] : [new Measurement<double>(idle().TotalSeconds, new KeyValuePair<string, object?>(MeteringAttributes.Model, model))],
            "s",
            "Device wall time while the step loop had no sequence to run.");
    }

    /// <summary>Meters a sequence that left the step loop: its attributed time and that time's cost, to its tenant.</summary>
    internal void RecordSequence(string tenant, TimeSpan gpuTime)
    {
        KeyValuePair<string, object?> billedTo = new(MeteringAttributes.Tenant, tenant);
        KeyValuePair<string, object?> model = new(MeteringAttributes.Model, _model);
        _gpuSeconds.Add(gpuTime.TotalSeconds, billedTo, model);
        _cost.Add(_price.CostUsd(gpuTime.TotalSeconds), billedTo, model);
    }

    /// <summary>Stops the idle counter (a host's factory meter outlives its <c>Dispose</c>, and must not read a stopped engine).</summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        _meter.Dispose();
    }
}
