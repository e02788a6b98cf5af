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
}
