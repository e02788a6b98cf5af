using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Server.Telemetry.Tests;

/// <summary>
/// <c>quicksilver.server.tokens</c> counts a request's prompt once the engine ran a step for it, as the metering bills
/// it: also when its caller left before its first block was final.
/// </summary>
public sealed class RequestTelemetryTokensTests : IDisposable
{
    private readonly string model = $"model-{Guid.NewGuid():N}";
    private readonly ModelMeasurements<long> input;

    public RequestTelemetryTokensTests() =>
        input = new(ServerMetrics.TokensName, model, new KeyValuePair<string, object?>(GenAiAttributes.TokenType, GenAiAttributes.InputTokenType));

    public void Dispose() => input.Dispose();

    [Fact]
    public void CallerLeavesAfterStepsButBeforeTheFirstBlock_PromptCounted()
    {
        using (RequestTelemetry telemetry = RequestTelemetry.Start(GenAiOperations.TextCompletion, model, Request(), choices: 2))
        {
            telemetry.NoteSteps(1, 28);
        }

        Assert.Equal(5, input.Values.Sum());
    }

    [Fact]
    public void CallerLeavesBeforeAnyStep_PromptNotCounted()
    {
        using (RequestTelemetry.Start(GenAiOperations.TextCompletion, model, Request()))
        {
        }

        Assert.Equal(0, input.Values.Sum());
    }

    private static GenerationRequest Request() => new() { PromptTokens = [1, 2, 3, 4, 5], MaxTokens = 64 };
}
