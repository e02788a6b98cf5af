using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Apis;
using Quicksilver.Gateway.Errors;
using Quicksilver.Gateway.Options;
using Quicksilver.Gateway.RateLimiting;
using Quicksilver.Gateway.Relay;
using Quicksilver.Gateway.Routing;
using Quicksilver.Gateway.Telemetry;
using Quicksilver.Gateway.Tenancy;
using Quicksilver.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace Quicksilver.Gateway;

/// <summary>
/// The gateway's services and pipeline. A <c>/v1</c> request passes: API key → tenant (401), the model from the body
/// (400/404/413), tenant rate limits (429, requests for the pods only), then YARP: retries around load-aware balancing, passive health,
/// forwarding with the tenant stamped, and the answer relayed and metered.
/// </summary>
internal static class GatewayApplication
{
    public static WebApplication Build(string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        AddGateway(builder);
        WebApplication app = builder.Build();
        UseGateway(app);
        return app;
    }

    private static void AddGateway(WebApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName).ValidateOnStart();
        services.AddOptions<RoutingOptions>().BindConfiguration(RoutingOptions.SectionName).ValidateOnStart();
        services.AddOptions<TenancyOptions>().BindConfiguration(TenancyOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        services.AddSingleton<IValidateOptions<RoutingOptions>, RoutingOptionsValidator>();
        services.AddSingleton<IValidateOptions<TenancyOptions>, TenancyOptionsValidator>();
        // The limit is RequestBody's to enforce; Kestrel's leaves it room to drain the rest of a body answered early
        // (401, 404, 413) rather than reset the connection under the client (RequestBodyDrain).
        services.AddOptions<KestrelServerOptions>().Configure<IConfiguration>(static (kestrel, configuration) =>
            kestrel.Limits.MaxRequestBodySize = (configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new()).MaxRequestBodyBytes
                + RequestBodyDrain.AllowanceBytes);

        services.AddOptions<HostOptions>().Configure<IConfiguration>(static (host, configuration) =>
            host.ShutdownTimeout = (configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new()).DrainTimeout);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<GatewayMetrics>();
        services.AddHostedService<ManagementPortCheck>();
        services.AddSingleton<TenantDirectory>();
        services.AddHostedService<TenantsFileWatcher>();
        services.AddTenantRateLimiting();

        services.AddSingleton<PodLoadRegistry>();
        services.AddSingleton<RetryBudget>();
        services.AddSingleton<DrainDeadline>();
        services.AddSingleton<PodEjection>();
        services.AddSingleton<PodReadiness>();
        services.AddSingleton<IActiveHealthCheckPolicy>(provider => provider.GetRequiredService<PodReadiness>());
        services.AddSingleton<HungPodJudge>();
        services.AddSingleton<UnansweredRequests>();
        services.AddSingleton<IHostAddressLookup, DnsHostAddressLookup>();
        // The gateway's own calls to pods (load polls, model cards) give up after the probe timeout, not HttpClient's 100 s.
        services.AddHttpClient(PodLoadPoller.HttpClientName).ConfigureHttpClient(static (provider, client) =>
            client.Timeout = provider.GetRequiredService<IOptions<RoutingOptions>>().Value.ProbeTimeout);
        services.AddSingleton<ModelCardSource>();
        services.AddSingleton<OpenApiDocumentSource>();
        services.AddHostedService<PodLoadPoller>();

        services.AddRequestTimeouts();
        services.AddReverseProxy().AddTransforms<PodTransforms>();
        services.AddSingleton<IProxyConfigProvider, ModelRoutesConfigProvider>();
        services.AddSingleton<ILoadBalancingPolicy, LoadAwareBalancingPolicy>();
        services.AddSingleton<IPassiveHealthCheckPolicy, TransportFailurePolicy>();
        services.AddSingleton<IForwarderHttpClientFactory, PodHttpClientFactory>();
        services.AddSingleton<IDestinationResolver, HeadlessServiceResolver>();

        builder.AddGatewayTelemetry();
    }

    private static void UseGateway(WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = context => GatewayError.Internal().WriteAsync(context.Response) });
        app.UseManagementPort();
        app.UseMiddleware<TenantAuthenticationMiddleware>();
        app.UseMiddleware<ModelRoutingMiddleware>();

        // Only a valid request for a model's pods counts against (and is refused by) the tenant's limits: listing
        // models, an unknown path and a request the gateway refuses itself (400/404/413) do not.
        app.UseWhen(ModelRoutingMiddleware.IsForPods, limited => limited.UseTenantRateLimiting());
        app.UseRouting();
        app.UseRequestTimeouts();

        app.MapGatewayHealth();
        app.MapGatewayMetrics();
        app.MapModelsApi();
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<RetryingForwarderMiddleware>();
            proxy.UseLoadBalancing();
            UnansweredRequests unanswered = proxy.ApplicationServices.GetRequiredService<UnansweredRequests>();
            proxy.Use(next => context => unanswered.ForwardAsync(context, next));
            proxy.UsePassiveHealthChecks();
        });
        app.MapFallback(context => GatewayError.RouteNotFound(context.Request.Method, context.Request.Path).WriteAsync(context.Response));
    }
}
