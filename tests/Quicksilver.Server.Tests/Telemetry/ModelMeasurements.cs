using System.Diagnostics.Metrics;

namespace Quicksilver.Server.Telemetry.Tests;

/// <summary>
/// The measurements of one instrument that carry <c>gen_ai.request.model</c> = <paramref name="model"/> (and every tag
/// of <paramref name="alsoTagged"/>), as they are recorded: a model id of its own keeps other tests' requests out.
/// </summary>
internal sealed class ModelMeasurements<T> : IDisposable
    where T : struct
{
    private readonly MeterListener _listener = new();
    private readonly List<T> _values = [];

    public ModelMeasurements(string instrument, string model, params KeyValuePair<string, object?>[] alsoTagged)
    {
        KeyValuePair<string, object?>[] wanted = [new(GenAiAttributes.RequestModel, model), .. alsoTagged];
        _listener.InstrumentPublished = (published, listener) =>
        {
            if (published.Name == instrument)
            {
                listener.EnableMeasurementEvents(published);
            }
        };
        _listener.SetMeasurementEventCallback<T>((_, value, tags, _) =>
        {
            int matched = 0;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                matched += wanted.Count(w => w.Key == tag.Key && Equals(w.Value, tag.Value));
            }

            if (matched == wanted.Length)
            {
                lock (_values)
                {
                    _values.Add(value);
                }
            }
        });
        _listener.Start();
    }

    public IReadOnlyList<T> Values
    {
        get
        {
            lock (_values)
            {
                return [.. _values];
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
