using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Quicksilver.Server.Apis;
using Quicksilver.Server.Errors;
using Quicksilver.Server.Health;
using Quicksilver.Server.Hosting;
using Quicksilver.Server.Metering;
using Quicksilver.Server.OpenApi;
using Quicksilver.Server.Telemetry;
using Quicksilver.Server.Tenancy;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Extensions;

/// <summary>The server's wiring: options, JSON, OpenAPI, health, limits, metering, tenancy, and the middleware around the endpoints.</summary>
internal static class Extensions
{
    /// <summary>Command-line shortcuts: <c>--model &lt;folder&gt;</c> sets <c>Quicksilver:ModelPath</c>.</summary>
    private static readonly Dictionary<string, string> CommandLineSwitches = new(StringComparer.Ordinal)
    {
        ["--model"] = $"{QuicksilverOptions.SectionName}:{nameof(QuicksilverOptions.ModelPath)}",
    };

    public static void AddQuicksilverServer(this WebApplicationBuilder builder, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddCommandLine(args, CommandLineSwitches);

        var services = builder.Services;
        services.AddOptions<QuicksilverOptions>().BindConfiguration(QuicksilverOptions.SectionName);
        services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>();
        // Kestrel is built inside builder.Build(), before ValidateOnStart runs: read the limit without validating it
        // there, so that a bad value is reported by validation as one clear line instead of crashing Build().
        services.AddOptions<KestrelServerOptions>().Configure<IConfiguration>(static (kestrel, configuration) =>
            kestrel.Limits.MaxRequestBodySize = (configuration.GetSection(LimitsOptions.SectionName).Get<LimitsOptions>() ?? new()).MaxRequestBodyBytes);

        services.AddQuicksilverMetering();
        services.AddQuicksilverTenancy();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<TokenizerWorkers>();
        services.AddSingleton<ServerReadiness>();
        services.AddHealthChecks()
            .AddCheck("process", static () => HealthCheckResult.Healthy("process up"), [HealthApi.LiveTag])
            .AddCheck<ReadinessHealthCheck>("readiness", tags: [ReadinessHealthCheck.Tag])
            .AddCheck<EngineHealthCheck>("engine", tags: [HealthApi.LiveTag, ReadinessHealthCheck.Tag]);

        services.ConfigureHttpJsonOptions(options => WireJson.Configure(options.SerializerOptions));
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer<QuicksilverDocumentTransformer>();
            options.AddSchemaTransformer<PolymorphicFieldsSchemaTransformer>();
            options.AddSchemaTransformer<NullableRequestFieldsSchemaTransformer>();
        });
    }

    /// <summary>Turns any exception no endpoint handled into a logged, OpenAI-shaped 500.</summary>
    public static void UseOpenAIExceptionHandler(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = UnhandledExceptionWriter.WriteAsync });
    }

    /// <summary>
    /// Runs the server until shutdown; returns the process exit code: 1 for settings that fail validation (logged
    /// as one clear line rather than a crash) or a model that could not be loaded, else 0.
    /// </summary>
    public static int RunQuicksilverServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            app.Run();
            return Environment.ExitCode;
        }
        catch (OptionsValidationException exception)
        {
            ServerLog.InvalidSettings(app.Logger, string.Join(" ", exception.Failures));
            return 1;
        }
    }

    /// <summary>Maps every endpoint of the model server.</summary>
    public static void MapQuicksilverApis(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi();
        app.MapHealthApi();
        app.MapQuicksilverTelemetry();
        app.MapModelsApi();
        app.MapCompletionsApi();
        app.MapChatCompletionsApi();
        app.MapTokenizerApi();
        app.MapUnknownRouteApi();
    }
}
