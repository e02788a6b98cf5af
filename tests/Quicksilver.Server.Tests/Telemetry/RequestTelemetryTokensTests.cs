using System.Diagnostics.Metrics;
using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Server.Telemetry.Tests;

/// <summary>
/// <c>quicksilver.server.tokens</c> counts a request's prompt once the engine ran a step for it, as the metering bills
/// it: also when its caller left before its first block was final.
/// </summary>
public sealed class RequestTelemetryTokensTests : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly string model = $"model-{Guid.NewGuid():N}";
    private long input;

    public RequestTelemetryTokensTests()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == ServerMetrics.TokensName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            bool ours = false, isInput = false;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                ours |= tag.Key == GenAiAttributes.RequestModel && tag.Value as string == model;
                isInput |= tag.Key == GenAiAttributes.TokenType && tag.Value as string == GenAiAttributes.InputTokenType;
            }

            if (ours && isInput)
            {
                Interlocked.Add(ref input, value);
            }
        });
        listener.Start();
    }

    public void Dispose() => listener.Dispose();

    [Fact]
    public void CallerLeavesAfterStepsButBeforeTheFirstBlock_PromptCounted()
    {
        using (RequestTelemetry telemetry = RequestTelemetry.Start(GenAiOperations.TextCompletion, model, Request(), choices: 2))
        {
            telemetry.NoteSteps(1, 28);
        }

        Assert.Equal(5, Interlocked.Read(ref input));
    }

    [Fact]
    public void CallerLeavesBeforeAnyStep_PromptNotCounted()
    {
        using (RequestTelemetry.Start(GenAiOperations.TextCompletion, model, Request()))
        {
        }

        Assert.Equal(0, Interlocked.Read(ref input));
    }

    private static GenerationRequest Request() => new() { PromptTokens = [1, 2, 3, 4, 5], MaxTokens = 64 };
}
