using System.Diagnostics;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Completions;

namespace Quicksilver.Server.Telemetry.Tests;

/// <summary>
/// <c>gen_ai.server.time_per_output_token</c> times the tokens after the first finalised block, which arrive with the
/// time to first token: an answer that came in one block records none, and a longer one divides by its later tokens.
/// </summary>
public sealed class RequestTelemetryTimingTests : IDisposable
{
    private readonly string model = $"model-{Guid.NewGuid():N}";
    private readonly ModelMeasurements<double> timesPerToken;

    public RequestTelemetryTimingTests() => timesPerToken = new(ServerMetrics.TimePerOutputTokenName, model);

    public void Dispose() => timesPerToken.Dispose();

    [Fact]
    public async Task AnswerInOneBlock_NoTimePerToken()
    {
        using RequestTelemetry telemetry = RequestTelemetry.Start(GenAiOperations.TextCompletion, model, Request());

        telemetry.Record(0, new GenerationUpdate([.. Enumerable.Range(0, 32)], FinishReason.Length, Steps: 8));
        await FinishAsync(telemetry, 0);

        Assert.Empty(timesPerToken.Values);
    }

    [Fact]
    public async Task AnswerInTwoBlocks_TimeAfterTheFirstBlockOverItsLaterTokens()
    {
        using RequestTelemetry telemetry = RequestTelemetry.Start(GenAiOperations.TextCompletion, model, Request());

        long beforeFirstBlock = Stopwatch.GetTimestamp();
        telemetry.Record(0, new GenerationUpdate([.. Enumerable.Range(0, 32)], null, Steps: 8));
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        telemetry.Record(0, new GenerationUpdate([.. Enumerable.Range(0, 8)], FinishReason.Length, Steps: 16));
        await FinishAsync(telemetry, 0);
        double afterFirstBlock = Stopwatch.GetElapsedTime(beforeFirstBlock).TotalSeconds;

        // 8 tokens after the first block, at least 200 ms later: at least 25 ms a token (the old (duration - ttft) /
        // (40 - 1) gave about 5 ms); at most the time the test saw pass around it, over 8.
        double timePerToken = Assert.Single(timesPerToken.Values);
        Assert.InRange(timePerToken, 0.2 / 8, afterFirstBlock / 8);
    }

    private static async Task FinishAsync(RequestTelemetry telemetry, int choice)
    {
        await using IAsyncEnumerator<CompletionDelta> deltas = Deltas().GetAsyncEnumerator();
        while (await telemetry.MoveNextAsync(choice, deltas))
        {
        }
    }

    private static async IAsyncEnumerable<CompletionDelta> Deltas()
    {
        await Task.Yield();
        yield return new CompletionDelta("text", FinishReason.Length);
    }

    private static GenerationRequest Request() => new() { PromptTokens = [1, 2, 3], MaxTokens = 64 };
}
