using Microsoft.Extensions.Options;
using Quicksilver.Engine;
using Quicksilver.Server.Extensions;

namespace Quicksilver.Server;

/// <summary>
/// Checks <see cref="LimitsOptions"/> at start, naming the setting and its environment variable; against
/// <paramref name="engine"/>'s queue too, where every choice of a request queues as one sequence.
/// </summary>
internal sealed class LimitsOptionsValidator(IOptions<EngineOptions> engine) : IValidateOptions<LimitsOptions>
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

        int? queue = EngineQueue();
        if (options.MaxChoices < 1)
        {
            failures.Add(Failure(nameof(LimitsOptions.MaxChoices), "must be at least 1", options.MaxChoices));
        }
        else if (options.MaxChoices > queue)
        {
            failures.Add(Failure(
                nameof(LimitsOptions.MaxChoices),
                $"must be at most Quicksilver:Engine:MaxQueuedRequests ({queue}): the choices of a request (n, best_of) queue together, so a request with more could never be admitted",
                options.MaxChoices));
        }

        if (options.MaxLogitBiasEntries < 1)
        {
            failures.Add(Failure(nameof(LimitsOptions.MaxLogitBiasEntries), "must be at least 1", options.MaxLogitBiasEntries));
        }

        if (options.TokenizerWorkers is < 1)
        {
            failures.Add(Failure(nameof(LimitsOptions.TokenizerWorkers), "must be at least 1 when set (leave it unset for half the cores)", options.TokenizerWorkers));
        }

        if (options.MaxRequestBodyBytes < 1024)
        {
            failures.Add(Failure(nameof(LimitsOptions.MaxRequestBodyBytes), "must be at least 1024", options.MaxRequestBodyBytes));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The engine's <see cref="EngineOptions.MaxQueuedRequests"/>; null when the engine's own settings fail their check, which reports them.</summary>
    private int? EngineQueue()
    {
        try
        {
            return engine.Value.MaxQueuedRequests;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }

    private static string Failure(string setting, string rule, object? value) =>
        SettingFailures.Describe(LimitsOptions.SectionName, setting, rule, value);
}
