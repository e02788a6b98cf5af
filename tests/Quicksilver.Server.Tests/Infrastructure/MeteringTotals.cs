using System.Diagnostics.Metrics;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// Sums what the instruments of the <c>Quicksilver.Metering</c> meters (engine and server) record, per instrument,
/// <c>quicksilver.tenant</c> and <c>gen_ai.token.type</c>. Tests running in parallel record too: give tenants unique ids.
/// </summary>
public sealed class MeteringTotals : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<(string Instrument, string? Tenant, string? TokenType), double> _totals = [];
    private readonly Lock _lock = new();

    public MeteringTotals()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Quicksilver.Metering")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument.Name, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of <paramref name="instrument"/>'s measurements for a tenant (and token type), 0 if none.</summary>
    public double Total(string instrument, string tenant, string? tokenType = null)
    {
        lock (_lock)
        {
            return _totals.GetValueOrDefault((instrument, tenant, tokenType));
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(string instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? tenant = null, tokenType = null;
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            tenant = tag.Key == "quicksilver.tenant" ? tag.Value as string : tenant;
            tokenType = tag.Key == "gen_ai.token.type" ? tag.Value as string : tokenType;
        }

        lock (_lock)
        {
            _totals[(instrument, tenant, tokenType)] = _totals.GetValueOrDefault((instrument, tenant, tokenType)) + value;
        }
    }
}
