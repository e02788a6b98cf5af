using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quicksilver.Engine;
using Quicksilver.Server.Hosting;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// The model server in memory, serving <paramref name="model"/> in place of the one its loader would load (null: the
/// loader loads the folder <c>Quicksilver:ModelPath</c> names). Settings are configuration overrides (e.g.
/// <c>Quicksilver:Limits:MaxTokens</c>); <paramref name="registerModel"/> replaces the registration of
/// <paramref name="model"/> as a singleton (to delay loading, for instance).
/// </summary>
public sealed class QuicksilverApiFactory(
    ServedModel? model,
    IReadOnlyDictionary<string, string?>? settings = null,
    Action<IServiceCollection>? registerModel = null) : WebApplicationFactory<Program>
{
    public QuicksilverApiFactory()
        : this(TestModel.Create())
    {
    }

    /// <summary>The model being served (once loaded).</summary>
    public ServedModel Model => Services.GetRequiredService<ModelCatalog>().Models.Single();

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>A client, once <c>/health/ready</c> says the model is loaded.</summary>
    public async Task<HttpClient> CreateReadyClientAsync()
    {
        HttpClient client = CreateClient();
        try
        {
            await WaitUntilReadyAsync(client);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message} Log:\n{string.Join("\n", Logs.Entries.Select(e => $"{e.Level} {e.Category}: {e.Message} {e.Exception}"))}", exception);
        }

        return client;
    }

    /// <summary>
    /// Polls <c>/health/ready</c> until it answers 200; <see cref="TimeoutException"/> after 2 min (loading the model
    /// took over 30 s on a loaded 2-core machine, with other test assemblies running).
    /// </summary>
    public static async Task WaitUntilReadyAsync(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var uri = new Uri("/health/ready", UriKind.Relative);
        DateTime deadline = DateTime.UtcNow.AddMinutes(2);
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            using HttpResponseMessage response = await client.GetAsync(uri);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            await Task.Delay(10);
        }

        throw new TimeoutException($"The server did not become ready in 2 min; /health/ready said: {last}");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach ((string key, string? value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        // The production pipeline (no developer exception page).
        builder.UseEnvironment("Production");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        builder.ConfigureTestServices(services =>
        {
            if (registerModel is not null)
            {
                registerModel(services);
            }
            else if (model is not null)
            {
                services.AddSingleton(model);
            }
        });
    }
}
