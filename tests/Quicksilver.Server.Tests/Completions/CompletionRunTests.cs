using System.Text;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Server.Telemetry;
using Quicksilver.Server.Tests.Fakes;

namespace Quicksilver.Server.Completions.Tests;

/// <summary>FAKE ENGINE: what one answer asks of the engine when its reader goes away or it ends.</summary>
[Trait("Engine", "Fake")]
public sealed class CompletionRunTests
{
    [Fact]
    public async Task RunAsync_ReaderStopsAfterTheFirstDelta_CancelsTheSequence()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine(pauseAfterBlocks: 1);
        var run = new CompletionRun(FakeServedModel.Create(engine), Request(maxTokens: 64), stop: []);
        using var generation = new CancellationTokenSource();

        await using (IAsyncEnumerator<CompletionDelta> deltas = Run(run, engine, generation).GetAsyncEnumerator())
        {
            Assert.True(await deltas.MoveNextAsync());
        }

        // Without it the sequence would wait at the gate, and on a real engine run on unread to max_tokens.
        await engine.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task RunAsync_ReadToTheEnd_DoesNotCancelTheSequence()
    {
        FakeGenerationEngine engine = FakeServedModel.Engine();
        var run = new CompletionRun(FakeServedModel.Create(engine), Request(maxTokens: 64), stop: []);
        using var generation = new CancellationTokenSource();

        var deltas = new List<CompletionDelta>();
        await foreach (CompletionDelta delta in Run(run, engine, generation))
        {
            deltas.Add(delta);
        }

        Assert.Equal(FakeGenerationEngine.DefaultAnswer, string.Concat(deltas.Select(d => d.Text)));
        Assert.False(engine.Cancelled.Task.IsCompleted, "A finished answer must not cancel its sequence.");
    }

    [Theory]
    [InlineData(",")] // inside the first block
    [InlineData("on")] // a block ends inside the stop sequence
    [InlineData("€ ✓")] // a block ends inside the ✓ (3 bytes)
    public async Task RunAsync_StopSequenceInsideABlock_CountsTheTokensThroughTheStopSequence(string stop)
    {
        FakeGenerationEngine engine = FakeServedModel.Engine();
        var run = new CompletionRun(FakeServedModel.Create(engine), Request(maxTokens: 64), stop: [stop]);
        using var generation = new CancellationTokenSource();

        var text = new List<string>();
        await foreach (CompletionDelta delta in Run(run, engine, generation))
        {
            text.Add(delta.Text);
        }

        // The fake tokenizer has one token per UTF-8 byte, and the fake engine finalises 8 tokens per block.
        string answer = FakeGenerationEngine.DefaultAnswer;
        string throughStop = answer[..(answer.IndexOf(stop, StringComparison.Ordinal) + stop.Length)];
        Assert.Equal(answer[..answer.IndexOf(stop, StringComparison.Ordinal)], string.Concat(text));
        Assert.Equal(Encoding.UTF8.GetByteCount(throughStop), run.CompletionTokens);
        Assert.NotEqual(0, run.CompletionTokens % 8);
    }

    /// <summary>The run's deltas of the sequence <paramref name="engine"/> generates for it, cancelled by <paramref name="generation"/>.</summary>
    private static IAsyncEnumerable<CompletionDelta> Run(CompletionRun run, FakeGenerationEngine engine, CancellationTokenSource generation) =>
        run.RunAsync(Telemetry(), choice: 0, engine.GenerateAsync(run.EngineRequest, generation.Token), generation);

    /// <summary>The telemetry of a one-choice request, ended when the run ends it (or never: nothing reads it here).</summary>
    private static RequestTelemetry Telemetry() => RequestTelemetry.Start("text_completion", "fake", Request(maxTokens: 64));

    private static GenerationRequest Request(int maxTokens) =>
        new() { PromptTokens = FakeServedModel.Tokenizer.Encode("Say hello"), MaxTokens = maxTokens };
}
