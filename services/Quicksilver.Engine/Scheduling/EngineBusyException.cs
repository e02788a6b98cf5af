namespace Quicksilver.Engine.Scheduling;

/// <summary>The engine cannot take the request now; the client may retry after <see cref="RetryAfter"/>.</summary>
public sealed class EngineBusyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EngineBusyException(EngineBusyReason reason, TimeSpan retryAfter, string message)
        : base(message)
    {
        Reason = reason;
        RetryAfter = retryAfter;
    }

    /// <summary>Why the request was refused.</summary>
    public EngineBusyReason Reason { get; }

    /// <summary>A hint for the <c>Retry-After</c> header.</summary>
    public TimeSpan RetryAfter { get; }
}
