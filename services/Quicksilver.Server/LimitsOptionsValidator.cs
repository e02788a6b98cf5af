using Microsoft.Extensions.Options;
using Quicksilver.Server.Extensions;

namespace Quicksilver.Server;

/// <summary>Checks <see cref="LimitsOptions"/> at start, naming the setting and its environment variable.</summary>
internal sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxPromptTokens is < 1)
        {
            failures.Add(Failure(nameof(LimitsOptions.MaxPromptTokens), "must be at least 1 when set (leave it unset to use the model's context length)", options.MaxPromptTokens));
        }

        if (options.MaxTokens < 1)
        {
            failures.Add(Failure(nameof(LimitsOptions.MaxTokens), "must be at least 1", options.MaxTokens));
        }

        if (options.MaxChoices < 1)
        {
            failures.Add(Failure(nameof(LimitsOptions.MaxChoices), "must be at least 1", options.MaxChoices));
        }

        if (options.MaxLogitBiasEntries < 1)
        {
            failures.Add(Failure(nameof(LimitsOptions.MaxLogitBiasEntries), "must be at least 1", options.MaxLogitBiasEntries));
        }

        if (options.MaxRequestBodyBytes < 1024)
        {
            failures.Add(Failure(nameof(LimitsOptions.MaxRequestBodyBytes), "must be at least 1024", options.MaxRequestBodyBytes));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Failure(string setting, string rule, object? value) =>
        SettingFailures.Describe(LimitsOptions.SectionName, setting, rule, value);
}
