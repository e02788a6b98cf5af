namespace Quicksilver.Engine.Scheduling;

/// <summary>Why the engine turned a request away.</summary>
public enum EngineBusyReason
{
    /// <summary>The wait queue is full (HTTP 429).</summary>
    QueueFull,

    /// <summary>The request waited longer than the queue timeout (HTTP 503).</summary>
    QueueTimeout,

    /// <summary>The engine is draining for shutdown or has stopped (HTTP 503).</summary>
    Draining,

    /// <summary>The engine's step loop failed; it serves nothing more (HTTP 503; the pod reports itself dead).</summary>
    Failed,

    /// <summary>
    /// The requests ahead are expected to hold the batch longer than <see cref="EngineOptions.MaxExpectedQueueWait"/>
    /// (HTTP 429): refused at once rather than left to wait into the queue timeout.
    /// </summary>
    ExpectedWaitTooLong,
}
