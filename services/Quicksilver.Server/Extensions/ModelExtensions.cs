using Microsoft.Extensions.Options;
using Quicksilver.Engine;
using Quicksilver.Server.Hosting;

namespace Quicksilver.Server.Extensions;

/// <summary>
/// Where the served model comes from: a <see cref="ServedModel"/> singleton built by the engine's loader, resolved
/// in the background by <see cref="ModelLoadingService"/>. Tests replace the singleton (ConfigureTestServices).
/// </summary>
internal static class ModelExtensions
{
    public static void AddQuicksilverModel(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Once the engine's loader lands: builder.Services.AddOptions<EngineOptions>().BindConfiguration("Quicksilver:Engine");
        builder.Services.AddSingleton(LoadModel);
        builder.Services.AddHostedService<ModelLoadingService>();
    }

    private static ServedModel LoadModel(IServiceProvider services)
    {
        QuicksilverOptions options = services.GetRequiredService<IOptions<QuicksilverOptions>>().Value;
        string contentRoot = services.GetRequiredService<IHostEnvironment>().ContentRootPath;
        string folder = ModelPathResolver.Resolve(options.ModelPath, contentRoot);

        // The one call into the engine's loader. Replace the throw with:
        //   return ServedModelLoader.Load(folder, services.GetRequiredService<IOptions<EngineOptions>>().Value,
        //       services.GetRequiredService<ILoggerFactory>());
        throw new NotSupportedException(
            $"Found the model folder '{folder}', but this build has no model loader yet (Quicksilver.Engine.ServedModelLoader).");
    }
}
