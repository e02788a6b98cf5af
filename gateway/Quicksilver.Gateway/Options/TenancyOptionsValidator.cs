using Microsoft.Extensions.Options;

namespace Quicksilver.Gateway.Options;

/// <summary>Checks <see cref="TenancyOptions"/> at start.</summary>
internal sealed class TenancyOptionsValidator : IValidateOptions<TenancyOptions>
{
    public ValidateOptionsResult Validate(string? name, TenancyOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ApiKeysFile))
        {
            return ValidateOptionsResult.Fail($"{TenancyOptions.SectionName}:ApiKeysFile must name the tenants file (JSON with hashed API keys).");
        }

        if (!File.Exists(options.ApiKeysFile))
        {
            return ValidateOptionsResult.Fail($"{TenancyOptions.SectionName}:ApiKeysFile '{options.ApiKeysFile}' does not exist.");
        }

        return options.ReloadInterval > TimeSpan.Zero
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{TenancyOptions.SectionName}:ReloadInterval must be a positive duration.");
    }
}
