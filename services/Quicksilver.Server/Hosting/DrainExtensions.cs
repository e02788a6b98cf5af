using Microsoft.Extensions.Options;

namespace Quicksilver.Server.Hosting;

/// <summary>Registers the graceful drain (<see cref="EngineDrainService"/>) and sizes the host's shutdown timeout to it.</summary>
internal static class DrainExtensions
{
    public static IServiceCollection AddEngineDrain(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<DrainOptions>().BindConfiguration(DrainOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DrainOptions>, DrainOptionsValidator>();

        // The host reads its options while builder.Build() runs, before ValidateOnStart: read the setting without
        // validating it there, so that a bad value is reported by validation as one clear line instead of a crash.
        services.AddOptions<HostOptions>().Configure<IConfiguration>(static (host, configuration) =>
        {
            string? value = configuration[$"{DrainOptions.SectionName}:{nameof(DrainOptions.DrainTimeout)}"];
            if (value is null)
            {
                host.ShutdownTimeout = new DrainOptions().DrainTimeout + DrainOptions.ShutdownMargin;
            }
            else if (TimeSpan.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out TimeSpan drain) && DrainOptionsValidator.IsValid(drain))
            {
                host.ShutdownTimeout = drain + DrainOptions.ShutdownMargin;
            }
        });

        services.AddSingleton<EngineDrainService>();
        services.AddHostedService(static services => services.GetRequiredService<EngineDrainService>());
        return services;
    }
}
