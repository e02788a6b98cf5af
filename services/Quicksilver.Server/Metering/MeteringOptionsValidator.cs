using Microsoft.Extensions.Options;
using Quicksilver.Engine.Metering;
using Quicksilver.Server.Extensions;

namespace Quicksilver.Server.Metering;

/// <summary>Checks <see cref="MeteringOptions"/> at start, naming the setting and its environment variable.</summary>
internal sealed class MeteringOptionsValidator : IValidateOptions<MeteringOptions>
{
    public ValidateOptionsResult Validate(string? name, MeteringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return double.IsFinite(options.GpuHourPriceUsd) && options.GpuHourPriceUsd >= 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(SettingFailures.Describe(
                MeteringExtensions.SectionName,
                nameof(MeteringOptions.GpuHourPriceUsd),
                "must be a finite number ≥ 0 (US dollars per hour of the device; 0 reports no cost)",
                options.GpuHourPriceUsd));
    }
}
