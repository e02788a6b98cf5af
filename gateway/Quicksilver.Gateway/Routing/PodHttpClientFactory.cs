using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Quicksilver.Gateway.Routing;

/// <summary>
/// YARP's client to the pods with a short connect timeout (<see cref="RoutingOptions.ConnectTimeout"/>; the default
/// is the OS's, tens of seconds): a pod that vanished without refusing is retried elsewhere quickly.
/// </summary>
internal sealed class PodHttpClientFactory(IOptions<RoutingOptions> options, ILogger<ForwarderHttpClientFactory> logger) : ForwarderHttpClientFactory(logger)
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = options.Value.ConnectTimeout;
    }
}
