namespace Quicksilver.Gateway.Routing;

/// <summary>
/// What a pod lets one answer choice run to, as its <c>GET /load</c> reports it: the largest <c>max_tokens</c> it takes
/// and the budget of a chat request that names none.
/// </summary>
internal sealed record AnswerLimits(int MaxTokens, int ChatDefaultMaxTokens);
