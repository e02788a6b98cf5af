namespace Quicksilver.Engine.Scheduling;

/// <summary>The engine of one loaded model, as the HTTP layer sees it.</summary>
public interface IGenerationEngine
{
    /// <summary>
    /// Generates the sequences of one request (its choices) together. Updates arrive as blocks of a canvas are
    /// finalised; each sequence joins the engine's step loop at the next step and leaves it when it finishes or its
    /// cancellation token fires. A cancelled sequence's enumeration ends once the engine has let go of it (at most a step
    /// later): after a <see cref="GenerationUpdate.IsSettlement"/> update carrying the device time it used, with an
    /// <see cref="OperationCanceledException"/>. Every update's <see cref="GenerationUpdate.GpuSeconds"/> is cumulative.
    /// The sequences are admitted all or none, before this returns: a refusal (<see cref="EngineBusyException"/>) or a
    /// request the model cannot take (<see cref="InvalidRequestException"/>, naming the field) is thrown here, and never
    /// leaves some of a request's choices running, to be cancelled after they took steps.
    /// </summary>
    IReadOnlyList<IAsyncEnumerable<GenerationUpdate>> GenerateTogether(IReadOnlyList<(GenerationRequest Request, CancellationToken Cancellation)> sequences);

    /// <summary>The engine's current load: the signal readiness, <c>/metrics</c> and the gateway read.</summary>
    EngineLoad Load { get; }

    /// <summary>
    /// What stopped the step loop, or null while it runs (and after an orderly stop); a <see cref="TimeoutException"/>
    /// while it holds requests but has finished no step for <see cref="EngineOptions.StallTimeout"/> (a hung device
    /// call), until it finishes one. Either way the engine serves nothing, so its server reports itself dead and
    /// Kubernetes restarts the pod.
    /// </summary>
    Exception? Failure { get; }

    /// <summary>Stops admitting; accepted requests finish. New ones fail with <see cref="EngineBusyReason.Draining"/>.</summary>
    void BeginDrain();

    /// <summary>Completes when no request is waiting or running.</summary>
    Task WaitForIdleAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The drain ran out of time: ends every request still waiting or running with an
    /// <see cref="EngineBusyException"/> (<see cref="EngineBusyReason.Draining"/>), so that its client gets an error it
    /// can retry instead of a cut connection, and stops the engine.
    /// </summary>
    void AbandonRemaining();
}
