using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Server.Completions;

/// <summary>
/// What a request that leaves a sampling or diffusion field out gets: the model's <c>generation_config.json</c> value
/// when it has one (vLLM's <c>--generation-config auto</c>), else the server's (OpenAI's temperature 1, no top-p or
/// top-k, LLaDA's <c>low_confidence</c>, no position sampling). A null <see cref="Steps"/> is one step per answer token
/// and a null <see cref="BlockLength"/> the deployment's block length. <see cref="Commit"/> is the model's
/// <c>threshold</c>/<c>factor</c>, else the deployment's, else the step schedule. <see cref="MaxNewTokens"/> is the
/// answer length the model's <c>steps</c> were set for (<see cref="StepsFor"/>) and chat's default budget, as vLLM
/// takes <c>max_new_tokens</c>. Reported in <c>/v1/models</c>.
/// </summary>
internal sealed record SamplingDefaults(
    double Temperature,
    double TopP,
    int TopK,
    RemaskingStrategy Remasking,
    double AlgorithmTemperature,
    int? Steps,
    int? BlockLength,
    (CommitRule Rule, double Parameter) Commit,
    int? MaxNewTokens = null)
{
    /// <summary>OpenAI's default <c>temperature</c>.</summary>
    public const double ServerTemperature = 1.0;

    public static SamplingDefaults For(GenerationDefaults model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new(
            model.Temperature ?? ServerTemperature,
            model.TopP ?? 1,
            model.TopK ?? 0,
            model.Remasking ?? RemaskingStrategy.LowConfidence,
            model.AlgorithmTemperature ?? 0,
            model.Steps,
            model.BlockLength,
            (model.Threshold, model.Factor) switch
            {
                ({ } threshold, _) => (CommitRule.Threshold, threshold),
                (_, { } factor) => (CommitRule.Factor, factor),
                _ => (CommitRule.Schedule, 0),
            },
            model.MaxNewTokens);
    }

    /// <summary>
    /// The default <c>steps</c> of an answer of <paramref name="maxTokens"/>: the model's <see cref="Steps"/> at the
    /// rate it set them for <see cref="MaxNewTokens"/> (rounded up), so that a longer budget does not spread them thinner
    /// and commit several tokens a step where the model commits one; the model's <see cref="Steps"/> as they are when it
    /// names no <c>max_new_tokens</c>; null (one step per token) when it names no <c>steps</c>.
    /// </summary>
    public int? StepsFor(int maxTokens) => (Steps, MaxNewTokens) switch
    {
        ({ } steps, { } length) => (int)Math.Max(1, Math.Ceiling((double)maxTokens * steps / length)),
        (var steps, _) => steps,
    };
}
