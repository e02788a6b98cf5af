namespace Quicksilver.Gateway.Relay;

/// <summary>What the relay reports about one answer as it passes through.</summary>
internal interface IAnswerObserver
{
    /// <summary>The answer's <c>usage</c> arrived (once per answer).</summary>
    void OnUsage(RelayedUsage usage);

    /// <summary>The pod failed after the answer began (connection lost, or the stream ended without <c>[DONE]</c>).</summary>
    void OnBroken(Exception? failure);

    /// <summary>The pod ended the answer with an error event (its failure, not the tenant's).</summary>
    void OnPodError();

    /// <summary>The answer's body is done with: read to its end, or abandoned (the client left).</summary>
    void OnEnded();
}
