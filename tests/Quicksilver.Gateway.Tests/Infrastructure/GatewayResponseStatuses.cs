using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Quicksilver.Gateway.Tests.Infrastructure;

/// <summary>
/// The method and status of every request one gateway's host recorded on ASP.NET Core's
/// <c>http.server.request.duration</c>. Its /metrics cannot tell this: the exporter listens to every meter of that name
/// in the process, so other tests' hosts add their requests to the scrape.
/// </summary>
internal sealed class GatewayResponseStatuses : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string? Method, int? Status)> _recorded = new();

    public GatewayResponseStatuses(GatewayServer gateway)
    {
        IMeterFactory factory = gateway.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument is { Name: "http.server.request.duration", Meter.Name: "Microsoft.AspNetCore.Hosting" } && instrument.Meter.Scope == factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            string? method = null;
            int? status = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "http.request.method")
                {
                    method = tag.Value as string;
                }
                else if (tag.Key == "http.response.status_code")
                {
                    status = tag.Value as int?;
                }
            }

            _recorded.Enqueue((method, status));
        });
        _listener.Start();
    }

    public IReadOnlyList<(string? Method, int? Status)> Recorded => [.. _recorded];

    public void Dispose() => _listener.Dispose();
}
