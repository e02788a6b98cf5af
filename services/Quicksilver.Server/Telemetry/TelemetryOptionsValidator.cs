using Microsoft.Extensions.Options;
using Quicksilver.Server.Extensions;

namespace Quicksilver.Server.Telemetry;

/// <summary>Checks <see cref="TelemetryOptions"/> at start, naming the setting and its environment variable.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.OtlpEndpoint is { } endpoint && TelemetryExtensions.ParseOtlpEndpoint(endpoint) is null)
        {
            failures.Add(Failure(nameof(TelemetryOptions.OtlpEndpoint), "must be an absolute http or https address such as http://otel-collector:4317", $"'{endpoint}'"));
        }

        if (OtlpProtocols.Parse(options.OtlpProtocol) is null)
        {
            failures.Add(Failure(nameof(TelemetryOptions.OtlpProtocol), $"must be one of {string.Join(", ", OtlpProtocols.All)}", $"'{options.OtlpProtocol}'"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Failure(string setting, string rule, string value) =>
        SettingFailures.Describe(TelemetryOptions.SectionName, setting, rule, value);
}
