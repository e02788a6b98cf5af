using Microsoft.Extensions.Options;
using Quicksilver.Engine;
using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Server.Extensions;

/// <summary>Checks the engine settings (<c>Quicksilver:Engine</c>) at start, before a model is loaded with them.</summary>
internal sealed class EngineOptionsValidator : IValidateOptions<EngineOptions>
{
    private static readonly string[] Backends = ["auto", "cuda", "cpu"];

    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Backends.Contains(options.Backend, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:Backend must be one of {string.Join(", ", Backends)}, but is '{options.Backend}'.");
        }

        if (options.Threads is < 1)
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:Threads must be at least 1 when set (leave it unset for one per logical processor), but is {options.Threads}.");
        }

        if (options.DefaultBlockLength < 1)
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:DefaultBlockLength must be at least 1, but is {options.DefaultBlockLength}.");
        }

        if (options.DefaultThreshold is { } threshold && !(threshold > 0 && threshold <= 1))
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:DefaultThreshold must be in (0, 1] when set (leave it unset for the step schedule), but is {threshold}.");
        }

        if (options.DefaultFactor is { } factor && !(factor > 0 && double.IsFinite(factor)))
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:DefaultFactor must be positive when set (leave it unset for the step schedule), but is {factor}.");
        }

        if (options.DefaultThreshold is not null && options.DefaultFactor is not null)
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:DefaultThreshold and DefaultFactor are two different commit rules; set one of them.");
        }

        // The binder takes any integer for an enum; an undefined one would fail requests, not the start.
        if (!Enum.IsDefined(options.KvCache))
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:KvCache must be none, prefix or dual, but is {options.KvCache}.");
        }

        if (!Enum.IsDefined(options.KvCacheRefresh))
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:KvCacheRefresh must be canvas, answer or frontier, but is {options.KvCacheRefresh}.");
        }

        if (options.MaxKvCacheBytes is < 1)
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:MaxKvCacheBytes must be at least 1 when set (leave it unset for no limit), but is {options.MaxKvCacheBytes}.");
        }

        if (options.MaxActiveSequences < 1)
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:MaxActiveSequences must be at least 1, but is {options.MaxActiveSequences}.");
        }

        if (options.MaxQueuedRequests < 1)
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:MaxQueuedRequests must be at least 1, but is {options.MaxQueuedRequests}.");
        }

        if (options.QueueTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:QueueTimeout must be positive, but is {options.QueueTimeout}.");
        }

        if (options.StallTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:StallTimeout must be positive, but is {options.StallTimeout}.");
        }

        if (options.MaxExpectedQueueWait is { } wait && (wait <= TimeSpan.Zero || wait > options.QueueTimeout))
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:MaxExpectedQueueWait must be positive and at most QueueTimeout ({options.QueueTimeout}) when set (leave it unset for half of QueueTimeout), but is {wait}.");
        }

        if (options.WarmUpSteps is < 0 or > ModelWarmUp.MaxSteps)
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:WarmUpSteps must be between 0 (no warm-up) and {ModelWarmUp.MaxSteps}, but is {options.WarmUpSteps}.");
        }

        if (options.ModelId is { } id && string.IsNullOrWhiteSpace(id))
        {
            failures.Add($"{ModelExtensions.EngineSectionName}:ModelId must not be blank (leave it unset to use the model folder's name).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
