using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Decoding;

namespace Quicksilver.Server.Completions;

/// <summary>
/// What a request that leaves a sampling or diffusion field out gets: the model's <c>generation_config.json</c> value
/// when it has one (vLLM's <c>--generation-config auto</c>), else the server's (OpenAI's temperature 1, no top-p or
/// top-k, LLaDA's <c>low_confidence</c>, no position sampling). A null <see cref="Steps"/> is one step per answer token
/// and a null <see cref="BlockLength"/> the deployment's block length. <see cref="Commit"/> is the model's
/// <c>threshold</c>/<c>factor</c>, else the deployment's, else the step schedule. Reported in <c>/v1/models</c>.
/// </summary>
internal sealed record SamplingDefaults(
    double Temperature,
    double TopP,
    int TopK,
    RemaskingStrategy Remasking,
    double AlgorithmTemperature,
    int? Steps,
    int? BlockLength,
    (CommitRule Rule, double Parameter) Commit)
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
            });
    }
}
