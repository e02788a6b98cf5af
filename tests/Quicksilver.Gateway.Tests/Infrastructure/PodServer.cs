using Quicksilver.Server.Tests.Infrastructure;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Quicksilver.Gateway.Tests.Infrastructure;

/// <summary>
/// A real model server (the pod) on the embedded model, on a real Kestrel loopback port, that counts the generation
/// requests it receives and the tenant header each carried.
/// </summary>
public sealed class PodServer : WebApplicationFactory<global::Program>
{
    /// <summary>The secret shared by the gateway and the pods of these tests.</summary>
    public const string PodKey = "test-pod-key-0123456789";

    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly int _port;

    private PodServer(int port, IReadOnlyDictionary<string, string?>? settings)
    {
        _port = port;
        _settings = settings ?? new Dictionary<string, string?>();
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>Requests received for a model (every POST: generation and the tokenizer endpoints).</summary>
    public int Requests => _requests;

    /// <summary>The <c>X-Test-Kind</c> and <c>X-Quicksilver-Tenant</c> of each POST, in arrival order.</summary>
    public ConcurrentQueue<(string Kind, string? Tenant)> Tenants { get; } = new();

    private int _requests;

    /// <summary>Generation requests being answered now, by the value of the client's <c>X-Test-Kind</c> header.</summary>
    public ConcurrentDictionary<string, int> InFlight { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts a pod on <paramref name="port"/> (0: any free port) and waits until it is ready.</summary>
    public static async Task<PodServer> StartAsync(int port = 0, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var pod = new PodServer(port, settings);
        pod.UseKestrel(port);
        pod.StartServer();
        string address = pod.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        pod.Address = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        await Wait.UntilAsync(async () =>
        {
            using var client = new HttpClient();
            try
            {
                using HttpResponseMessage ready = await client.GetAsync(new Uri(pod.Address, "/health/ready"));
                return ready.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromMinutes(3), "the pod to become ready"); // loading the model can take a minute on a loaded machine
        return pod;
    }

    /// <summary>The port it listens on.</summary>
    public int Port => Address.Port;

    /// <summary>
    /// Kills the pod as the network sees a crash: listeners closed and every open connection aborted at once (no
    /// drain). The engine object stays until disposal.
    /// </summary>
    public Task KillAsync() => Services.GetRequiredService<IServer>().StopAsync(new CancellationToken(canceled: true));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSetting("Quicksilver:ModelPath", RepositoryFolders.EmbeddedModel);
        builder.UseSetting("Quicksilver:Engine:Backend", "cpu");
        builder.UseSetting("Quicksilver:Engine:Threads", "1");
        builder.UseSetting("Quicksilver:Tenancy:GatewayKey", PodKey);
        builder.UseSetting("Quicksilver:Metering:GpuHourPriceUsd", "3.6");
        foreach ((string key, string? value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.UseEnvironment("Production");
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new CountingFilter(this)));
    }

    private sealed class CountingFilter(PodServer pod) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (!HttpMethods.IsPost(context.Request.Method))
                {
                    await nextMiddleware(context);
                    return;
                }

                Interlocked.Increment(ref pod._requests);
                string kind = context.Request.Headers["X-Test-Kind"].FirstOrDefault() ?? string.Empty;
                pod.Tenants.Enqueue((kind, context.Request.Headers["X-Quicksilver-Tenant"].FirstOrDefault()));
                pod.InFlight.AddOrUpdate(kind, 1, (_, n) => n + 1);
                try
                {
                    await nextMiddleware(context);
                }
                finally
                {
                    pod.InFlight.AddOrUpdate(kind, 0, (_, n) => n - 1);
                }
            });
            next(app);
        };
    }
}
