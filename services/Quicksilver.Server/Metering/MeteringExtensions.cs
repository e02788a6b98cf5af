using Microsoft.Extensions.Options;
using Quicksilver.Engine.Metering;

namespace Quicksilver.Server.Metering;

/// <summary>
/// Cost per token: the price of device time (<see cref="MeteringOptions"/>, bound from <c>Quicksilver:Metering</c> and
/// validated at start), which the model's engine meters with, and the <see cref="UsageMeter"/> that prices every usage.
/// </summary>
internal static class MeteringExtensions
{
    /// <summary>The configuration section of <see cref="MeteringOptions"/>.</summary>
    public const string SectionName = "Quicksilver:Metering";

    public static IServiceCollection AddQuicksilverMetering(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<MeteringOptions>().BindConfiguration(SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MeteringOptions>, MeteringOptionsValidator>();
        services.AddSingleton<UsageMeter>();
        return services;
    }
}
