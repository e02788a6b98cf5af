using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Errors;
using Quicksilver.Gateway.Options;

namespace Quicksilver.Gateway.Apis;

/// <summary>
/// <c>Gateway:ManagementPort</c>: when set, <c>/metrics</c> answers on that port only, and that port answers nothing but
/// <c>/metrics</c> and the health endpoints (anything else is the gateway's 404, as an unknown path is). The port is
/// told apart by the connection's local port, which a client cannot forge as it can a <c>Host</c> header.
/// </summary>
internal static class ManagementPort
{
    public static IApplicationBuilder UseManagementPort(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // Read per request: the options are validated when the host starts, after the pipeline is built.
        int? port = context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.ManagementPort;
        PathString path = context.Request.Path;
        bool metrics = path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase);
        bool health = path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
        bool served = port is null || (context.Connection.LocalPort == port ? metrics || health : !metrics);
        return served ? next(context) : GatewayError.RouteNotFound(context.Request.Method, path).WriteAsync(context.Response);
    });
}

/// <summary>
/// Stops the start of a gateway that was told of a management port it does not listen on: <c>/metrics</c> would
/// answer nowhere, and nothing would say why.
/// </summary>
internal sealed class ManagementPortCheck(IServer server, IOptions<GatewayOptions> options) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (options.Value.ManagementPort is not { } port)
        {
            return Task.CompletedTask;
        }

        ICollection<string> addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Any(address => BindingAddress.Parse(address).Port == port)
            ? Task.CompletedTask
            : throw new OptionsValidationException(GatewayOptions.SectionName, typeof(GatewayOptions), [
                $"Gateway:ManagementPort is {port}, but the gateway listens only on {string.Join(", ", addresses)}: add http://+:{port} to ASPNETCORE_URLS."]);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
