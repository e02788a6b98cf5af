namespace Quicksilver.Gateway.Relay;

/// <summary>The headers between gateway and pods. Clients' copies are stripped: only the gateway sets them.</summary>
internal static class PodHeaders
{
    /// <summary>The tenant who pays for the request.</summary>
    public const string Tenant = "X-Quicksilver-Tenant";

    /// <summary>The shared secret that proves the tenant was stamped by the gateway.</summary>
    public const string GatewayKey = "X-Quicksilver-Gateway-Key";

    /// <summary>Asks the pod for the stream's usage chunk even when the client did not, so the gateway can meter it.</summary>
    public const string IncludeUsage = "X-Quicksilver-Include-Usage";

    /// <summary>The requested model, set from the body for route matching; never forwarded.</summary>
    public const string Model = "X-Quicksilver-Model";

    /// <summary>A pod's answer: its prompt tokens, read for <see cref="AnswerObserver.OnEnded"/> and never relayed.</summary>
    public const string PromptTokens = "X-Quicksilver-Prompt-Tokens";

    /// <summary>Response: a 503 to relay as it is, not to try on another pod (the pod says why).</summary>
    public const string NoRetry = "X-Quicksilver-No-Retry";

    /// <summary>Every header a client may not set.</summary>
    public static readonly string[] Internal = [Tenant, GatewayKey, IncludeUsage, Model];
}
