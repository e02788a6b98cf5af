using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Quicksilver.Server.Apis;
using Quicksilver.Server.Errors;
using Quicksilver.Server.Health;
using Quicksilver.Server.Hosting;
using Quicksilver.Server.OpenApi;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Extensions;

/// <summary>The server's wiring: options, JSON, OpenAPI, health, limits, and the middleware around the endpoints.</summary>
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
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<LimitsOptions>>((kestrel, limits) => kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<ServerReadiness>();
        services.AddHealthChecks()
            .AddCheck("process", static () => HealthCheckResult.Healthy("process up"), [HealthApi.LiveTag])
            .AddCheck<ReadinessHealthCheck>("readiness", tags: [ReadinessHealthCheck.Tag]);

        services.ConfigureHttpJsonOptions(options => WireJson.Configure(options.SerializerOptions));
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer<QuicksilverDocumentTransformer>();
            options.AddSchemaTransformer<PolymorphicFieldsSchemaTransformer>();
        });
    }

    /// <summary>Turns any exception no endpoint handled into a logged, OpenAI-shaped 500.</summary>
    public static void UseOpenAIExceptionHandler(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = UnhandledExceptionWriter.WriteAsync });
    }

    /// <summary>Maps every endpoint of the model server.</summary>
    public static void MapQuicksilverApis(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi();
        app.MapHealthApi();
        app.MapModelsApi();
        app.MapCompletionsApi();
        app.MapUnknownRouteApi();
    }
}
