using Quicksilver.Gateway.Tenancy;

namespace Quicksilver.Gateway.Relay;

/// <summary>What the gateway learned from a generation request's body before forwarding it (an HttpContext feature).</summary>
/// <param name="Tenant">Who pays.</param>
/// <param name="Model">The requested model, which picks the pods.</param>
/// <param name="Stream">Whether the client asked for SSE.</param>
/// <param name="ClientWantsUsage">Whether the client asked for the stream's usage chunk (<c>stream_options.include_usage</c>).</param>
/// <param name="AnswerTokenCeiling">The most answer tokens the request can spend: its <c>max_completion_tokens</c> or
/// <c>max_tokens</c> (the pods' limit when it names none, and at most that) times its choices (<c>n</c>, <c>best_of</c>).</param>
internal sealed record ProxiedRequest(Tenant Tenant, string Model, bool Stream, bool ClientWantsUsage, long AnswerTokenCeiling);
