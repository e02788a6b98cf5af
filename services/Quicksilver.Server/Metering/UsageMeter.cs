using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Quicksilver.Engine.Metering;
using Quicksilver.Server.Telemetry;
using Quicksilver.Server.Wire;

namespace Quicksilver.Server.Metering;

/// <summary>
/// Settles a request whose choices have all ended: builds its <c>usage</c> (tokens, the device seconds the engine
/// charged its choices, and their cost at the pod's price) and, in the same call, counts its billed tokens on
/// <c>quicksilver.tokens</c> (meter <c>Quicksilver.Metering</c>; attributes <c>quicksilver.tenant</c>,
/// <c>gen_ai.request.model</c>, <c>gen_ai.token.type</c>). One call per finished request, whether or not a stream
/// sends its usage, so the counter's totals are the sums of the requests' usage plus one call per request whose caller
/// left after the engine ran a step for it (<see cref="Completions.CompletionChoices.RunAsync"/>), which reports none.
/// </summary>
internal sealed class UsageMeter
{
    /// <summary>Billed tokens (unit <c>{token}</c>).</summary>
    public const string TokensName = "quicksilver.tokens";

    private readonly MeteringOptions _price;
    private readonly Counter<long> _tokens;

    public UsageMeter(IOptions<MeteringOptions> price, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(price);
        ArgumentNullException.ThrowIfNull(meters);
        _price = price.Value;
        Meter meter = meters.Create(MeteringMetrics.MeterName); // the engine's meter (the factory caches by name and version): one scope
        _tokens = meter.CreateCounter<long>(
            TokensName,
            "{token}",
            "Billed tokens: the prompt_tokens (gen_ai.token.type=input) and completion_tokens (output) of every finished request's usage, and of requests their clients left once the engine had run them.");
    }

    /// <param name="model">The served model's id.</param>
    /// <param name="tenant">Who the request is billed to.</param>
    /// <param name="promptTokens">The prompt's tokens, counted once however many choices.</param>
    /// <param name="completionTokens">Answer tokens over all choices.</param>
    /// <param name="gpuSeconds">Device seconds charged to all choices.</param>
    /// <param name="denoisingSteps">Forward passes all choices took.</param>
    public CompletionUsage Bill(string model, string tenant, int promptTokens, int completionTokens, double gpuSeconds, int denoisingSteps)
    {
        Count(model, tenant, GenAiAttributes.InputTokenType, promptTokens);
        Count(model, tenant, GenAiAttributes.OutputTokenType, completionTokens);
        return new CompletionUsage(promptTokens, completionTokens, promptTokens + completionTokens, gpuSeconds, _price.CostUsd(gpuSeconds), denoisingSteps);
    }

    private void Count(string model, string tenant, string type, int tokens) => _tokens.Add(
        tokens,
        new KeyValuePair<string, object?>(MeteringAttributes.Tenant, tenant),
        new KeyValuePair<string, object?>(MeteringAttributes.Model, model),
        new KeyValuePair<string, object?>(GenAiAttributes.TokenType, type));
}
