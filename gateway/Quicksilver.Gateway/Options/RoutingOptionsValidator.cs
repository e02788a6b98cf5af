using Microsoft.Extensions.Options;

namespace Quicksilver.Gateway.Options;

/// <summary>Checks <see cref="RoutingOptions"/> at start; each failure names the setting.</summary>
internal sealed class RoutingOptionsValidator : IValidateOptions<RoutingOptions>
{
    public ValidateOptionsResult Validate(string? name, RoutingOptions options)
    {
        var failures = new List<string>();
        Positive(options.LoadPollInterval, nameof(options.LoadPollInterval));
        Positive(options.HealthCheckInterval, nameof(options.HealthCheckInterval));
        Positive(options.ProbeTimeout, nameof(options.ProbeTimeout));
        Positive(options.EjectionPeriod, nameof(options.EjectionPeriod));
        Positive(options.DnsRefreshInterval, nameof(options.DnsRefreshInterval));
        Positive(options.ConnectTimeout, nameof(options.ConnectTimeout));
        Positive(options.ActivityTimeout, nameof(options.ActivityTimeout));
        Positive(options.RequestTimeout, nameof(options.RequestTimeout));
        if (options.UnresponsivePodTimeout < options.LongestPollGap)
        {
            failures.Add($"{RoutingOptions.SectionName}:UnresponsivePodTimeout must be at least LoadPollInterval + 2 x ProbeTimeout ({options.LongestPollGap}): one poll that timed out must not make a pod look hung, not {options.UnresponsivePodTimeout}.");
        }

        if (options.ModelCardTtl < TimeSpan.Zero)
        {
            failures.Add($"{RoutingOptions.SectionName}:ModelCardTtl must not be negative (00:00:00 asks a pod on every listing), not {options.ModelCardTtl}.");
        }

        if (options.UnhealthyThreshold < 1)
        {
            failures.Add($"{RoutingOptions.SectionName}:UnhealthyThreshold must be at least 1, not {options.UnhealthyThreshold}.");
        }

        if (options.MaxAttempts < 1)
        {
            failures.Add($"{RoutingOptions.SectionName}:MaxAttempts must be at least 1, not {options.MaxAttempts}.");
        }

        if (options.RetryBudgetRatio is < 0 or > 1 || double.IsNaN(options.RetryBudgetRatio))
        {
            failures.Add($"{RoutingOptions.SectionName}:RetryBudgetRatio must be between 0 and 1, not {options.RetryBudgetRatio}.");
        }

        if (options.RetryBudgetMinPerSecond < 0)
        {
            failures.Add($"{RoutingOptions.SectionName}:RetryBudgetMinPerSecond must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string setting)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{RoutingOptions.SectionName}:{setting} must be a positive duration (e.g. 00:00:05), not {value}.");
            }
        }
    }
}
