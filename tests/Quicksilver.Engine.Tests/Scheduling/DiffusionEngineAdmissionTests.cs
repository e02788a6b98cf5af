using Microsoft.Extensions.Logging.Abstractions;
using Quicksilver.Engine.Checkpoints;
using Quicksilver.Engine.Compute.Cpu;
using Quicksilver.Engine.Models;
using Quicksilver.Engine.Scheduling;
using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Scheduling;

/// <summary>Admission limits, queue timeout, cancellation and drain, on an engine that runs one sequence at a time.</summary>
public sealed class DiffusionEngineAdmissionTests : IDisposable
{
    private readonly RandomCheckpoint _checkpoint;
    private readonly ITensorSource _tensors;
    private readonly CpuBackend _backend;
    private readonly DiffusionTransformer _model;
    private readonly ManualClock _clock = new();
    private readonly DiffusionEngine _engine;

    public DiffusionEngineAdmissionTests()
    {
        ModelConfig config = RandomCheckpoint.LLaDAConfig(vocab: 64, hidden: 32, layers: 1);
        _checkpoint = RandomCheckpoint.Create(config, TensorDType.BF16, seed: 5);
        _tensors = CheckpointLoader.Open(_checkpoint.Folder);
        _backend = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        _model = new DiffusionTransformer(config, _tensors, _backend);
        var options = new EngineOptions { MaxActiveSequences = 1, MaxQueuedRequests = 1, QueueTimeout = TimeSpan.FromSeconds(10), StallTimeout = TimeSpan.FromSeconds(60) };
        _engine = new DiffusionEngine(_model, options, new HashSet<int>(), NullLogger<DiffusionEngine>.Instance, _clock);
    }

    [Fact]
    public async Task GenerateAsync_QueueFull_RefusedWithQueueFull()
    {
        using var cancel = new CancellationTokenSource();
        Task running = Drain(LongRequest(), cancel.Token);
        await Eventually.True(() => _engine.Load.Running == 1);
        Task queued = Drain(LongRequest(), cancel.Token);
        await Eventually.True(() => _engine.Load.Waiting == 1);

        var ex = await Assert.ThrowsAsync<EngineBusyException>(() => Drain(LongRequest(), CancellationToken.None));

        Assert.Equal(EngineBusyReason.QueueFull, ex.Reason);
        Assert.True(ex.RetryAfter > TimeSpan.Zero);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
    }

    [Fact]
    public async Task GenerateTogether_MoreSequencesThanPlacesLeftInTheQueue_RefusesThemAllAndQueuesNone()
    {
        using var cancel = new CancellationTokenSource();
        Task running = Drain(LongRequest(), cancel.Token);
        await Eventually.True(() => _engine.Load.Running == 1);

        var ex = Assert.Throws<EngineBusyException>(() => _engine.GenerateTogether([(ShortRequest(), CancellationToken.None), (ShortRequest(), CancellationToken.None)]));

        Assert.Equal(EngineBusyReason.QueueFull, ex.Reason);
        Assert.Equal(0, _engine.Load.Waiting);
        Assert.Equal(StepBounds.None, _engine.WaitingBounds);
        IAsyncEnumerable<GenerationUpdate> single = Assert.Single(_engine.GenerateTogether([(ShortRequest(), CancellationToken.None)]));
        Assert.Equal(1, _engine.Load.Waiting);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(4, await single.CountTokensAsync());
    }

    [Fact]
    public async Task GenerateTogether_EachSequenceEndsByItsOwnToken()
    {
        var options = new EngineOptions { MaxActiveSequences = 1, MaxQueuedRequests = 2, QueueTimeout = TimeSpan.FromSeconds(10), StallTimeout = TimeSpan.FromSeconds(60) };
        using var engine = new DiffusionEngine(_model, options, new HashSet<int>(), NullLogger<DiffusionEngine>.Instance, _clock);
        using var first = new CancellationTokenSource();
        IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> sequences = engine.GenerateTogether([(LongRequest(), first.Token), (ShortRequest(), CancellationToken.None)]);
        Task<int> cancelled = sequences[0].CountTokensAsync();
        Task<int> second = sequences[1].CountTokensAsync();
        await Eventually.True(() => engine.Load is { Running: 1, Waiting: 1 });

        await first.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(4, await second);
        await Eventually.True(() => engine.Load is { Running: 0, Waiting: 0, TokensInFlight: 0 });
    }

    [Fact]
    public async Task GenerateAsync_WaitsPastQueueTimeout_FailsWithQueueTimeout()
    {
        using var cancel = new CancellationTokenSource();
        Task running = Drain(LongRequest(), cancel.Token);
        await Eventually.True(() => _engine.Load.Running == 1);
        Task queued = Drain(LongRequest(), CancellationToken.None);
        await Eventually.True(() => _engine.Load.Waiting == 1);

        _clock.Advance(TimeSpan.FromSeconds(11));

        var ex = await Assert.ThrowsAsync<EngineBusyException>(() => queued);
        Assert.Equal(EngineBusyReason.QueueTimeout, ex.Reason); // its Retry-After depends on the step the clock's jump fell in
        Assert.Equal(StepBounds.None, _engine.WaitingBounds);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task AbandonRemaining_RunningAndQueued_EndWithARetryableDrainingError()
    {
        Task running = Drain(LongRequest(), CancellationToken.None);
        await Eventually.True(() => _engine.Load.Running == 1);
        Task queued = Drain(LongRequest(), CancellationToken.None);
        await Eventually.True(() => _engine.Load.Waiting == 1);

        _engine.AbandonRemaining();

        foreach (Task request in new[] { running, queued })
        {
            var ex = await Assert.ThrowsAsync<EngineBusyException>(() => request);
            Assert.Equal(EngineBusyReason.Draining, ex.Reason);
            Assert.Contains("drain timeout ran out", ex.Message, StringComparison.Ordinal);
        }

        var refused = await Assert.ThrowsAsync<EngineBusyException>(() => Drain(LongRequest(), CancellationToken.None));
        Assert.Equal(EngineBusyReason.Draining, refused.Reason);
        await Eventually.True(() => _engine.Load is { Waiting: 0, Running: 0 });
    }

    [Fact]
    public async Task GenerateAsync_RunningRequestCancelled_FreesItsPlaceForTheQueue()
    {
        using var cancel = new CancellationTokenSource();
        Task running = Drain(LongRequest(), cancel.Token);
        await Eventually.True(() => _engine.Load.Running == 1);
        Task<int> queued = Drain(ShortRequest(), CancellationToken.None);
        await Eventually.True(() => _engine.Load.Waiting == 1);

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(4, await queued);
        await Eventually.True(() => _engine.Load is { Running: 0, Waiting: 0, TokensInFlight: 0 });
    }

    [Fact]
    public async Task BeginDrain_RefusesNewRequests_FinishesAcceptedOnes()
    {
        Task<int> accepted = Drain(LongRequest() with { MaxTokens = 300, BlockLength = 300 }, CancellationToken.None);
        await Eventually.True(() => _engine.Load.Running == 1);
        Task<int> queued = Drain(ShortRequest(), CancellationToken.None);
        await Eventually.True(() => _engine.Load.Waiting == 1);

        _engine.BeginDrain();
        var ex = await Assert.ThrowsAsync<EngineBusyException>(() => Drain(ShortRequest(), CancellationToken.None));

        Assert.Equal(EngineBusyReason.Draining, ex.Reason);
        Assert.True(_engine.Load.Draining);
        Assert.Equal(300, await accepted);
        Assert.Equal(4, await queued);
        await _engine.WaitForIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Dispose_CalledTwice_SecondCallIsANoOp()
    {
        _engine.Dispose();

        // The server stops the engine at shutdown; the ServedModel that owns it disposes it again later.
        _engine.Dispose();

        Assert.True(_engine.Load.Draining);
        var refused = await Assert.ThrowsAsync<EngineBusyException>(() => Drain(ShortRequest(), CancellationToken.None));
        Assert.Equal(EngineBusyReason.Draining, refused.Reason);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _model.Dispose();
        _backend.Dispose();
        _tensors.Dispose();
        _checkpoint.Dispose();
    }

    [Fact]
    public async Task StepLoopFails_FailsTheRequestItHeld_ReportsTheFailure_RefusesNewRequests()
    {
        Assert.Null(_engine.Failure);
        var broken = new InvalidOperationException("the clock broke");
        _clock.TimestampFault = broken;

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => Drain(ShortRequest(), CancellationToken.None));

        Assert.Same(broken, failed);
        Assert.Same(broken, _engine.Failure);
        Assert.True(_engine.Load.Draining);
        var refused = await Assert.ThrowsAsync<EngineBusyException>(() => Drain(ShortRequest(), CancellationToken.None));
        Assert.Equal(EngineBusyReason.Failed, refused.Reason);
        Assert.Contains("stopped after a failure (InvalidOperationException)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StepHangsPastStallTimeout_IsAFailureUntilTheStepEnds()
    {
        using var cancel = new CancellationTokenSource();
        Task running = Drain(LongRequest(), cancel.Token);
        await Eventually.True(() => _engine.Load.Running == 1);

        _clock.HoldNextRead();
        await Eventually.True(() => _clock.IsHolding);
        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Null(_engine.Failure);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var stalled = Assert.IsType<TimeoutException>(_engine.Failure);

        _clock.ReleaseHeldRead();
        await Eventually.True(() => _engine.Failure is null);
        Assert.Contains("in one step for 61 s (StallTimeout 60 s) with 1 requests running", stalled.Message, StringComparison.Ordinal);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Null(_engine.Failure);
    }

    [Fact]
    public void Dispose_OrderlyStop_IsNoFailure()
    {
        _engine.Dispose();

        Assert.Null(_engine.Failure);
    }

    private static GenerationRequest LongRequest() => new() { PromptTokens = [1, 2, 3], MaxTokens = 500, BlockLength = 500, Seed = 1 };

    private static GenerationRequest ShortRequest() => new() { PromptTokens = [1, 2, 3], MaxTokens = 4, Seed = 1 };

    private Task<int> Drain(GenerationRequest request, CancellationToken cancellationToken) => _engine.DrainAsync(request, cancellationToken);
}
