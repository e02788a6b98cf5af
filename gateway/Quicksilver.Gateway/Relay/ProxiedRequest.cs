using Quicksilver.Gateway.Tenancy;

namespace Quicksilver.Gateway.Relay;

/// <summary>What the gateway learned from a generation request's body before forwarding it (an HttpContext feature).</summary>
/// <param name="Tenant">Who pays.</param>
/// <param name="Model">The requested model, which picks the pods.</param>
/// <param name="Stream">Whether the client asked for SSE.</param>
/// <param name="ClientWantsUsage">Whether the client asked for the stream's usage chunk (<c>stream_options.include_usage</c>).</param>
/// <param name="AnswerTokenCeiling">The most answer tokens the request can spend, read as its pod reads them (at most
/// the pods' limit per choice) times its choices: see <c>ModelRoutingMiddleware.Read</c>.</param>
/// <param name="Operation">The GenAI operation: <c>chat</c> or <c>text_completion</c>.</param>
internal sealed record ProxiedRequest(Tenant Tenant, string Model, bool Stream, bool ClientWantsUsage, long AnswerTokenCeiling, string Operation);
