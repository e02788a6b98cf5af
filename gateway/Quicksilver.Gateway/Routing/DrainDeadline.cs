using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// When the host cuts the connections still open after a shutdown began: <see cref="GatewayOptions.DrainTimeout"/>
/// after <c>ApplicationStopping</c> (the host's shutdown timeout), less a second, since the host started its clock
/// just before. Until then answers in flight run on, and one whose client goes away was ended by its client.
/// </summary>
internal sealed class DrainDeadline
{
    private static readonly TimeSpan HostClockLead = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private long _cutAtTicks = long.MaxValue;

    public DrainDeadline(IHostApplicationLifetime lifetime, IOptions<GatewayOptions> options, TimeProvider time)
    {
        _time = time;
        TimeSpan drain = options.Value.DrainTimeout;
        lifetime.ApplicationStopping.Register(() => Interlocked.Exchange(ref _cutAtTicks, (time.GetUtcNow() + drain - HostClockLead).UtcTicks));
    }

    /// <summary>Whether the host is cutting (or has cut) the connections that remain.</summary>
    public bool Passed => _time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _cutAtTicks);
}
