namespace Quicksilver.Server.Telemetry;

/// <summary>
/// Attribute names and values of the OpenTelemetry GenAI semantic conventions (Development status) that the server's
/// spans and metrics carry, plus the server's own <c>quicksilver.*</c> ones.
/// </summary>
internal static class GenAiAttributes
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";
    public const string RequestTemperature = "gen_ai.request.temperature";
    public const string RequestSeed = "gen_ai.request.seed";
    public const string RequestChoiceCount = "gen_ai.request.choice.count";
    public const string UsageInputTokens = "gen_ai.usage.input_tokens";
    public const string UsageOutputTokens = "gen_ai.usage.output_tokens";
    public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
    public const string TokenType = "gen_ai.token.type";
    public const string ErrorType = "error.type";

    /// <summary>Denoising steps (forward passes) the sequence took: ours, diffusion-specific.</summary>
    public const string DiffusionSteps = "quicksilver.diffusion.steps";

    /// <summary>The <c>gen_ai.provider.name</c> of every span and measurement.</summary>
    public const string Provider = "quicksilver";

    /// <summary><c>gen_ai.token.type</c> of prompt tokens.</summary>
    public const string InputTokenType = "input";

    /// <summary><c>gen_ai.token.type</c> of generated tokens.</summary>
    public const string OutputTokenType = "output";

    /// <summary><c>error.type</c> of a generation that ended before its finish (client gone, engine stopped).</summary>
    public const string Canceled = "canceled";
}
