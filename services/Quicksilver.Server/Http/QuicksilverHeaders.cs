namespace Quicksilver.Server.Http;

/// <summary>The headers between the Quicksilver gateway and a pod.</summary>
internal static class QuicksilverHeaders
{
    /// <summary>Request: the tenant the gateway authenticated (believed only with <see cref="GatewayKey"/>).</summary>
    public const string Tenant = "X-Quicksilver-Tenant";

    /// <summary>Request: the secret shared by gateway and pods (<c>Quicksilver:Tenancy:GatewayKey</c>).</summary>
    public const string GatewayKey = "X-Quicksilver-Gateway-Key";

    /// <summary>Request: <c>true</c> asks for a stream's usage chunk even without <c>stream_options.include_usage</c> (gateway only).</summary>
    public const string IncludeUsage = "X-Quicksilver-Include-Usage";

    /// <summary>Response: the engine's load when the response started, <c>waiting=…, running=…, tokens=…</c> (<see cref="LoadHeader"/>).</summary>
    public const string Load = "X-Quicksilver-Load";

    /// <summary>
    /// Response of a generation: the prompt's tokens, as its usage will count them, so that the gateway can debit an
    /// answer that ends without its usage (the client left a stream).
    /// </summary>
    public const string PromptTokens = "X-Quicksilver-Prompt-Tokens";

    /// <summary>
    /// Response of a 503 the gateway should relay rather than try on another pod, with the reason
    /// (<c>queue-timeout</c>: the request already waited out its queue timeout here; another pod's wait would add to it).
    /// </summary>
    public const string NoRetry = "X-Quicksilver-No-Retry";
}
