using System.Diagnostics;
using Quicksilver.Engine.Metering;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.Scheduling;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Metering;

/// <summary>
/// The engine's GPU-time accounting on a real step loop: each step's time shared by tokens, the totals on the last
/// updates, the meters (each test's engine has its own model id, so parallel tests do not mix), and idle time.
/// </summary>
public sealed class EngineMeteringTests
{
    private readonly string _model = $"metering-{Guid.NewGuid():N}";

    [Fact]
    public async Task GenerateAsync_TwoCanvasesOfDifferentLengthsInOneBatch_ShareEveryStepByTokens()
    {
        using var recorder = new MeteringRecorder(_model);
        using var test = new TestEngine(new EngineOptions { ModelId = _model, MaxTokensPerStep = 64 });
        DiffusionEngine engine = test.Engine;

        // A blocker over the step budget of 64 tokens runs alone, so both requests queue and join together when it goes.
        using var cancelBlocker = new CancellationTokenSource();
        Task<Run> blocker = RunAsync(engine, Request(promptLength: 3, maxTokens: 400, "blocker"), cancelBlocker.Token);
        await Eventually.True(() => engine.Load.Running == 1);
        Task<Run> shortCanvas = RunAsync(engine, Request(promptLength: 4, maxTokens: 16, "tenant-a"));
        Task<Run> longCanvas = RunAsync(engine, Request(promptLength: 28, maxTokens: 16, "tenant-b"));
        await Eventually.True(() => engine.Load.Waiting == 2);
        cancelBlocker.Cancel();
        Run a = await shortCanvas;
        Run b = await longCanvas;
        await blocker;

        double shortSeconds = a.Updates[^1].GpuSeconds, longSeconds = b.Updates[^1].GpuSeconds;
        Assert.Equal(16, a.Updates[^1].Steps);
        Assert.Equal(16, b.Updates[^1].Steps);
        Assert.True(shortSeconds > 0, "no time was attributed");

        // Canvases of 20 and 44 tokens in the same 16 steps: 20/64 of the time to one, 44/64 to the other, give or
        // take the one tick per step that rounding hands to the last sequence of the batch.
        double total = shortSeconds + longSeconds;
        Assert.InRange(shortSeconds - (total * 20 / 64), -16e-7, 1e-12);
        Assert.Equal([shortSeconds], recorder.Values(MeteringMetrics.GpuSecondsName, "tenant-a"));
        Assert.Equal([longSeconds], recorder.Values(MeteringMetrics.GpuSecondsName, "tenant-b"));
    }

    [Fact]
    public async Task GenerateAsync_Finished_LastUpdateCarriesTheTotalThatIsMeteredOnceWithItsCost()
    {
        using var recorder = new MeteringRecorder(_model);
        using var test = new TestEngine(new EngineOptions { ModelId = _model, DefaultBlockLength = 8 }, new MeteringOptions { GpuHourPriceUsd = 3.6 });

        Run run = await RunAsync(test.Engine, Request(promptLength: 3, maxTokens: 24, "acme"));

        Assert.Null(run.Error);
        Assert.Equal(3, run.Updates.Count);
        Assert.NotNull(run.Updates[^1].Finish);
        Assert.True(run.Updates[0].GpuSeconds > 0, "the first block's update has no time");
        Assert.True(run.Updates.Zip(run.Updates.Skip(1)).All(p => p.First.GpuSeconds <= p.Second.GpuSeconds), "GpuSeconds is not cumulative");
        double total = run.Updates[^1].GpuSeconds;
        Assert.Equal([total], recorder.Values(MeteringMetrics.GpuSecondsName, "acme"));
        Assert.Equal([total * 3.6 / 3600], recorder.Values(MeteringMetrics.CostName, "acme"));
    }

    [Fact]
    public async Task GenerateAsync_CancelledWhileRunning_SettlesItsGpuTimeAndStillMetersIt()
    {
        using var recorder = new MeteringRecorder(_model);
        using var test = new TestEngine(new EngineOptions { ModelId = _model });
        using var cancel = new CancellationTokenSource();

        Task<Run> running = RunAsync(test.Engine, Request(promptLength: 3, maxTokens: 400, "gone"), cancel.Token);
        await Eventually.True(() => test.Engine.Load.Running == 1);
        await Task.Delay(50);
        cancel.Cancel();
        Run run = await running;

        Assert.IsAssignableFrom<OperationCanceledException>(run.Error);
        GenerationUpdate settlement = run.Updates[^1];
        Assert.True(settlement.IsSettlement);
        Assert.True(settlement.GpuSeconds > 0, "a cancelled sequence's steps were not charged");
        Assert.Equal([settlement.GpuSeconds], recorder.Values(MeteringMetrics.GpuSecondsName, "gone"));
        Assert.Single(recorder.Values(MeteringMetrics.CostName, "gone"));
    }

    [Fact]
    public async Task Metering_AttributedPlusIdleTime_IsTheEngineWallTime()
    {
        using var recorder = new MeteringRecorder(_model);
        using var test = new TestEngine(new EngineOptions { ModelId = _model });
        long started = Stopwatch.GetTimestamp();

        await Task.Delay(100);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => RunAsync(test.Engine, Request(promptLength: 2 + i, maxTokens: 48, $"tenant-{i}"))));
        await Task.Delay(100);
        double idle = recorder.Observe(MeteringMetrics.IdleSecondsName);
        double elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;

        // Charges and idle stretches are chained, so the only differences are the moments between the engine's
        // construction and `started`, and between reading idle and `elapsed`. Allowed: 50 ms or 5 %.
        double attributed = recorder.Values(MeteringMetrics.GpuSecondsName).Sum();
        Assert.True(attributed > 0, "no time was attributed");
        Assert.True(idle >= 0.15, $"idle {idle:F3} s of two 100 ms pauses");
        double tolerance = Math.Max(0.05, 0.05 * elapsed);
        Assert.True(Math.Abs(elapsed - (attributed + idle)) <= tolerance, $"attributed {attributed:F4} s + idle {idle:F4} s vs {elapsed:F4} s elapsed");
    }

    private static GenerationRequest Request(int promptLength, int maxTokens, string tenant) => new()
    {
        PromptTokens = [.. Enumerable.Range(1, promptLength)],
        MaxTokens = maxTokens,
        Seed = 1,
        Tenant = tenant,
    };

    private static async Task<Run> RunAsync(DiffusionEngine engine, GenerationRequest request, CancellationToken cancellationToken = default)
    {
        var updates = new List<GenerationUpdate>();
        try
        {
            await foreach (GenerationUpdate update in engine.Generate(request, cancellationToken))
            {
                updates.Add(update);
            }
        }
        catch (OperationCanceledException exception)
        {
            return new Run(updates, exception);
        }

        return new Run(updates, null);
    }

    private sealed record Run(IReadOnlyList<GenerationUpdate> Updates, Exception? Error);
}
