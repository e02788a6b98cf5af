using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Quicksilver.Engine;
using Quicksilver.Engine.Metering;
using Quicksilver.Server.Hosting;

namespace Quicksilver.Server.Extensions;

/// <summary>
/// Where the served model comes from: a <see cref="ServedModel"/> singleton built by the engine's loader from the
/// folder <see cref="QuicksilverOptions.ModelPath"/> names, with <see cref="EngineOptions"/> bound from
/// <c>Quicksilver:Engine</c> and its device time priced by <see cref="MeteringOptions"/>; resolved in the background
/// by <see cref="ModelLoadingService"/>.
/// Tests replace the singleton (ConfigureTestServices).
/// </summary>
internal static class ModelExtensions
{
    /// <summary>The configuration section of <see cref="EngineOptions"/>.</summary>
    public const string EngineSectionName = "Quicksilver:Engine";

    public static void AddQuicksilverModel(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<EngineOptions>().BindConfiguration(EngineSectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EngineOptions>, EngineOptionsValidator>();
        builder.Services.AddSingleton(LoadModel);
        builder.Services.AddHostedService<ModelLoadingService>();
        builder.Services.AddEngineDrain();
    }

    private static ServedModel LoadModel(IServiceProvider services)
    {
        QuicksilverOptions options = services.GetRequiredService<IOptions<QuicksilverOptions>>().Value;
        string contentRoot = services.GetRequiredService<IHostEnvironment>().ContentRootPath;
        string folder = ModelPathResolver.Resolve(options.ModelPath, contentRoot);
        return ServedModelLoader.Load(
            folder,
            services.GetRequiredService<IOptions<EngineOptions>>().Value,
            services.GetRequiredService<ILoggerFactory>(),
            services.GetRequiredService<IOptions<MeteringOptions>>().Value,
            services.GetRequiredService<IMeterFactory>());
    }
}
