using Microsoft.Extensions.Options;

namespace Quicksilver.Server.Hosting;

/// <summary>Checks <see cref="DrainOptions"/> at start, naming the setting and its environment variable.</summary>
internal sealed class DrainOptionsValidator : IValidateOptions<DrainOptions>
{
    public ValidateOptionsResult Validate(string? name, DrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return IsValid(options.DrainTimeout)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{DrainOptions.SectionName}:{nameof(DrainOptions.DrainTimeout)} must be between 00:00:00 and {DrainOptions.MaxDrainTimeout:c} (hh:mm:ss), " +
                $"but is {options.DrainTimeout:c} (environment variable {DrainOptions.SectionName}__{nameof(DrainOptions.DrainTimeout)}).");
    }

    public static bool IsValid(TimeSpan drainTimeout) => drainTimeout >= TimeSpan.Zero && drainTimeout <= DrainOptions.MaxDrainTimeout;
}
