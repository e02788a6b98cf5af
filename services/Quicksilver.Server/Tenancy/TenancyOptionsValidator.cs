using Microsoft.Extensions.Options;
using Quicksilver.Server.Extensions;

namespace Quicksilver.Server.Tenancy;

/// <summary>Checks <see cref="TenancyOptions"/> at start, naming the setting and its environment variable.</summary>
internal sealed class TenancyOptionsValidator : IValidateOptions<TenancyOptions>
{
    public ValidateOptionsResult Validate(string? name, TenancyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.GatewayKey is { } key && string.IsNullOrWhiteSpace(key))
        {
            failures.Add(Failure(nameof(TenancyOptions.GatewayKey), "must not be blank (leave it unset when no gateway is in front of the pod)", "blank"));
        }

        if (options.PreviousGatewayKey is { } previous)
        {
            if (string.IsNullOrWhiteSpace(previous))
            {
                failures.Add(Failure(nameof(TenancyOptions.PreviousGatewayKey), "must not be blank (leave it unset when no key is being rotated)", "blank"));
            }
            else if (string.IsNullOrWhiteSpace(options.GatewayKey))
            {
                failures.Add(Failure(nameof(TenancyOptions.PreviousGatewayKey), $"needs {TenancyOptions.SectionName}:{nameof(TenancyOptions.GatewayKey)} (the key it is rotated to)", "set"));
            }
            else if (previous == options.GatewayKey)
            {
                failures.Add(Failure(nameof(TenancyOptions.PreviousGatewayKey), $"must differ from {TenancyOptions.SectionName}:{nameof(TenancyOptions.GatewayKey)}", "the same key"));
            }
        }

        if (options.RequireGateway && string.IsNullOrWhiteSpace(options.GatewayKey))
        {
            failures.Add(Failure(nameof(TenancyOptions.RequireGateway), $"needs {TenancyOptions.SectionName}:{nameof(TenancyOptions.GatewayKey)} (without it every request would be refused)", true));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Failure(string setting, string rule, object value) =>
        SettingFailures.Describe(TenancyOptions.SectionName, setting, rule, value);
}
