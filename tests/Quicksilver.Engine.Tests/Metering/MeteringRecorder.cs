using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Quicksilver.Engine.Metering;

namespace Quicksilver.Engine.Tests.Metering;

/// <summary>
/// Listens to the <c>Quicksilver.Metering</c> meters and keeps the measurements of one model id (engines of tests
/// running in parallel carry other ids).
/// </summary>
internal sealed class MeteringRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, string? Tenant)> _measurements = new();

    public MeteringRecorder(string model)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeteringMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            string? tenant = null, measuredModel = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                tenant = tag.Key == MeteringAttributes.Tenant ? tag.Value as string : tenant;
                measuredModel = tag.Key == MeteringAttributes.Model ? tag.Value as string : measuredModel;
            }

            if (measuredModel == model)
            {
                _measurements.Enqueue((instrument.Name, value, tenant));
            }
        });
        _listener.Start();
    }

    /// <summary>The values an instrument recorded, in order (for one tenant when given).</summary>
    public IReadOnlyList<double> Values(string instrument, string? tenant = null) =>
        [.. _measurements.Where(m => m.Instrument == instrument && (tenant is null || m.Tenant == tenant)).Select(m => m.Value)];

    /// <summary>Reads the observable instruments now and returns the latest value of <paramref name="instrument"/>.</summary>
    public double Observe(string instrument)
    {
        _listener.RecordObservableInstruments();
        return Values(instrument)[^1];
    }

    public void Dispose() => _listener.Dispose();
}
