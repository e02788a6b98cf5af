using Quicksilver.Engine.Scheduling;

namespace Quicksilver.Server.Tests.Fakes;

/// <summary>Wraps an engine to see when the server disposes it, and what load it still had then.</summary>
internal sealed class DisposalRecordingEngine(IGenerationEngine inner) : IGenerationEngine, IDisposable
{
    /// <summary>Completed with the inner engine's load at the moment of disposal.</summary>
    public TaskCompletionSource<EngineLoad> Disposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public EngineLoad Load => inner.Load;

    public Exception? Failure => inner.Failure;

    public IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> GenerateTogether(IReadOnlyList<(GenerationRequest Request, CancellationToken Cancellation)> sequences) =>
        inner.GenerateTogether(sequences);

    public void BeginDrain() => inner.BeginDrain();

    public Task WaitForIdleAsync(CancellationToken cancellationToken) => inner.WaitForIdleAsync(cancellationToken);

    public void AbandonRemaining() => inner.AbandonRemaining();

    public void Dispose() => Disposed.TrySetResult(inner.Load);
}
