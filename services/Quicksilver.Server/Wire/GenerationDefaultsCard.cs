using Quicksilver.Engine;
using Quicksilver.Engine.Decoding;
using Quicksilver.Server.Completions;

namespace Quicksilver.Server.Wire;

/// <summary>
/// What a request that leaves a field out gets (<see cref="SamplingDefaults"/>): the model's
/// <c>generation_config.json</c>, else the server's defaults.
/// </summary>
/// <param name="Temperature">Default <c>temperature</c>.</param>
/// <param name="TopP">Default <c>top_p</c> (1: no nucleus cut).</param>
/// <param name="TopK">Default <c>top_k</c> (0: no top-k).</param>
/// <param name="Remasking">Default <c>remasking</c> of the step schedule (the model's Dream <c>alg</c>, mapped).</param>
/// <param name="AlgTemp">Default <c>alg_temp</c> (0: the most confident positions).</param>
/// <param name="Steps">Default <c>steps</c> for an answer of <paramref name="MaxNewTokens"/> (scaled to a request's budget); null is one step per answer token.</param>
/// <param name="BlockLength">Default <c>block_length</c>: the model's, else a block-diffusion model's attention block, else the deployment's.</param>
/// <param name="Threshold">Default <c>threshold</c> commit rule; null when the default rule is not the threshold rule.</param>
/// <param name="Factor">Default <c>factor</c> commit rule; null when the default rule is not the factor rule. Both null: the step schedule.</param>
/// <param name="MaxNewTokens">The model's <c>max_new_tokens</c>: chat's default budget, and the length <paramref name="Steps"/> are for; null when it names none.</param>
/// <param name="Eps">The final timestep of the timestep schedule (Dream's commit counts, <c>origin</c>'s reveal probabilities): the model's <c>eps</c>, else 1e-3.</param>
internal sealed record GenerationDefaultsCard(double Temperature, double TopP, int TopK, RemaskingName Remasking, double AlgTemp, int? Steps, int BlockLength, double? Threshold, double? Factor, int? MaxNewTokens, double Eps)
{
    /// <summary>The card of <paramref name="model"/> served with the deployment's default block length <paramref name="deploymentBlockLength"/>.</summary>
    public static GenerationDefaultsCard For(ServedModel model, int deploymentBlockLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        SamplingDefaults defaults = SamplingDefaults.For(model.Generation);
        return new(
            defaults.Temperature,
            defaults.TopP,
            defaults.TopK,
            defaults.Remasking switch
            {
                RemaskingStrategy.LowConfidence => RemaskingName.LowConfidence,
                RemaskingStrategy.Random => RemaskingName.Random,
                RemaskingStrategy.Margin => RemaskingName.Margin,
                RemaskingStrategy.Entropy => RemaskingName.Entropy,
                RemaskingStrategy.Origin => RemaskingName.Origin,
                _ => throw new ArgumentOutOfRangeException(nameof(model), defaults.Remasking, "Unknown remasking strategy."),
            },
            defaults.AlgorithmTemperature,
            defaults.Steps,
            defaults.BlockLength ?? DecodingBlocks.DefaultLength(model.Config, deploymentBlockLength),
            defaults.Commit.Rule == CommitRule.Threshold ? defaults.Commit.Parameter : null,
            defaults.Commit.Rule == CommitRule.Factor ? defaults.Commit.Parameter : null,
            defaults.MaxNewTokens,
            model.Generation.EffectiveEps);
    }
}
